import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Logger } from "pino";
import type { AlertMessage } from "../alerts/message.js";
import type { AppConfig } from "../config/schema.js";
import { acquireLease } from "../deployer/lease.js";
import { PRODUCTION } from "../environments/names.js";
import { configForEnvironment } from "../environments/resolve.js";
import { EXIT, OperationError, UsageError } from "../errors.js";
import type { SecretLookup } from "../secrets/secret-store.js";
import type { BackupFilter, BackupLocation, BackupRecord, BackupTrigger } from "../store/backups.js";
import type { DataDir } from "../store/data-dir.js";
import type { Store } from "../store/store.js";
import { backupFailedMessage } from "./alert-messages.js";
import { unpackArchive } from "./archive.js";
import type { BackupSpec } from "./config.js";
import { deleteCopy, describeLocation, openCopy, storeCopies } from "./copies.js";
import { DecryptionError, keyProblem } from "./encryption.js";
import { type LiveRestoreHook, NO_PROCESSES } from "./live-restore.js";
import type { BackupMetrics } from "./metrics.js";
import { pgConnection, restore as pgRestore } from "./postgres.js";
import { backupsToPrune } from "./retention.js";
import { inspect, inspectionProblems, restoreInto } from "./sqlite.js";
import { formatFor, type Source, takeArchive, verifyArchive } from "./take.js";

export interface BackupServiceOptions {
  store: Store;
  dataDir: DataDir;
  secrets: SecretLookup;
  logger: Logger;
  /** The app's alert channels (the agent's Monitoring). */
  alert?: (app: string, message: AlertMessage) => void;
  metrics?: BackupMetrics;
  /** Stops and restarts the app around a restore into it (src/backups/live-restore.ts). */
  liveRestore?: LiveRestoreHook;
  /** Names this agent run in lease holders. */
  bootId?: string;
  now?: () => number;
}

export interface RestoreInput {
  app: string;
  id: string;
  /** Restore into this environment (default: the one the backup was taken in). */
  env?: string;
  /** Restore a backup that failed verification. */
  force?: boolean;
  requestedBy?: string | null;
}

export interface RestoreResult {
  backup: BackupRecord;
  env: string;
  safety: BackupRecord | null;
  durationMs: number;
  note: string;
}

/** One configured database of an app's environment, with its index in `backups:` for messages. */
interface Target {
  app: string;
  env: string;
  spec: BackupSpec;
  index: number;
}

/**
 * Backups of the apps' databases: taking them (snapshot or dump → archive → verification → copies),
 * recording every attempt in the ledger, alerting on failures, pruning per `keep:`, and restoring.
 * Backups of one database run one at a time; a restore holds the app's lease like a deploy.
 */
export class BackupService {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly options: BackupServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** What an app's environment runs with: its live release's config, else the app's newest skiff.yml. */
  config(app: string, env: string): AppConfig {
    const { store } = this.options;
    const live = store.releases.live(app, env);
    if (live) return live.config;
    const registered = store.apps.config(app);
    if (!registered) throw new OperationError(`${app} is not known to this agent: deploy it first`);
    return configForEnvironment(registered, env);
  }

  /** Every configured database (or the one named) of an app's environment. */
  targets(app: string, env: string, name?: string, config = this.config(app, env)): Target[] {
    const all = config.backups.map((spec, index) => ({ app, env, spec, index }));
    if (all.length === 0)
      throw new UsageError(`${app}${env === PRODUCTION ? "" : ` (${env})`} has no backups: in its skiff.yml`);
    if (name === undefined) return all;
    const found = all.filter((t) => t.spec.name === name);
    if (found.length === 0)
      throw new UsageError(
        `--db ${name}: ${app} has no database of that name in backups: (${all.map((t) => t.spec.name).join(", ")})`,
      );
    return found;
  }

  /** Backs up every configured database of the app's environment (or the one named), one after another. */
  async backUp(input: {
    app: string;
    env?: string;
    name?: string;
    trigger: BackupTrigger;
    release?: string | null;
  }): Promise<BackupRecord[]> {
    const env = input.env ?? PRODUCTION;
    const records: BackupRecord[] = [];
    for (const target of this.targets(input.app, env, input.name)) {
      records.push(await this.take(target, input.trigger, input.release ?? null));
    }
    return records;
  }

  /**
   * For the deployer, before a release's `release:` command: a backup of each configured database,
   * recorded against the release. Throws when one is not good, so the deploy fails before the migration
   * runs. A SQLite database that does not exist yet (a first deploy) has nothing to lose and is skipped.
   */
  async backupBeforeRelease(app: string, env: string, releaseId: string): Promise<BackupRecord[]> {
    const config = this.options.store.releases.get(app, releaseId)?.config ?? this.config(app, env);
    if (config.backups.length === 0) return [];
    const records: BackupRecord[] = [];
    for (const target of this.targets(app, env, undefined, config)) {
      if (target.spec.source.kind === "sqlite" && !existsSync(this.sqliteFile(target))) {
        this.options.logger.info(
          { app, env, database: target.spec.name },
          "no SQLite database yet: nothing to back up before the release command",
        );
        continue;
      }
      const record = await this.take(target, "release", releaseId);
      records.push(record);
      if (record.status !== "good") {
        throw new OperationError(
          `the backup of database "${target.spec.name}" before the release command ${record.status === "bad" ? "failed verification" : "failed"} (${record.id}): ${record.error ?? record.verifyNote}`,
          { hint: "the release command did not run; fix the backup (skiff backups) and deploy again" },
        );
      }
    }
    return records;
  }

  list(filter: BackupFilter): BackupRecord[] {
    return this.options.store.backups.list(filter);
  }

  get(app: string, id: string): BackupRecord {
    const record = this.options.store.backups.get(app, id);
    if (!record)
      throw new OperationError(`${app} has no backup ${id}`, { hint: `skiff backups --app ${app}` });
    return record;
  }

  /** Checks a stored backup again from its first readable copy; a bad one is marked and alerted. */
  async verify(app: string, id: string): Promise<BackupRecord> {
    const record = this.stored(app, id);
    const target = this.targetOf(record, record.env);
    const key = record.keySecret ? this.key(record.keySecret, "encryption.key_secret") : undefined;
    const scratch = await this.scratch(record);
    const verification = await verifyArchive(
      this.source(target),
      () => this.openFirstCopy(record),
      formatFor(record.kind, key),
      { bytes: record.bytes!, sha256: record.sha256! },
      record.tables,
      scratch,
      `backup ${id}`,
    );
    this.options.store.backups.setVerified(app, id, verification.ok, verification.note);
    if (!verification.ok) this.alertFailed(target, id, verification.note, true);
    return this.get(app, id);
  }

  /**
   * Restores a backup into the app's environment (or another one: "test restore to staging"): the
   * archive is fetched and checked first, a safety backup of what is there now is taken, the app's
   * processes are stopped, the database replaced, and the processes brought back through the gate.
   */
  async restore(input: RestoreInput): Promise<RestoreResult> {
    const { store } = this.options;
    const started = this.now();
    const record = this.stored(input.app, input.id);
    if (record.status === "bad" && !input.force)
      throw new OperationError(`${record.id} failed verification: ${record.verifyNote}`, {
        hint: `restore another backup, or pass --force to restore ${record.id} anyway`,
      });
    const env = input.env ?? record.env;
    const target = this.targetOf(record, env);
    const key = record.keySecret ? this.key(record.keySecret, "encryption.key_secret", record.id) : undefined;
    const lease = await acquireLease(
      store.leases,
      {
        app: input.app,
        holder: `${this.options.bootId ?? "skiff"}:restore-${record.id}`,
        who: input.requestedBy ?? "unknown",
        operation: `restore of ${record.id}`,
      },
      { wait: false, signal: new AbortController().signal },
    );
    const scratch = await this.scratch(record);
    const file = `${scratch}.restore`;
    try {
      const verification = await this.fetch(record, key, file, input.force ?? false);
      const exists = target.spec.source.kind === "postgres" || existsSync(this.sqliteFile(target));
      const safety = exists ? await this.take(target, "safety", null) : null;
      if (safety && safety.status !== "good")
        throw new OperationError(
          `the safety backup of ${env} before the restore ${safety.status === "bad" ? "failed verification" : "failed"}: ${safety.error ?? safety.verifyNote}`,
          { hint: "nothing was restored" },
        );
      const resume = await (this.options.liveRestore ?? NO_PROCESSES).pause(input.app, env);
      try {
        await this.apply(target, file);
      } finally {
        await resume();
      }
      const note = `${record.id} (${record.name}, ${new Date(record.createdAt).toISOString()}) restored into ${env}${safety ? `; what was there before is ${safety.id}` : ""}`;
      store.events.add({
        app: input.app,
        release: store.releases.live(input.app, env)?.id ?? null,
        kind: "backup",
        name: "restored",
        at: this.now(),
        message: note,
        data: {
          backup: record.id,
          env,
          safety: safety?.id ?? null,
          verification,
          by: input.requestedBy ?? null,
        },
      });
      this.options.logger.info({ app: input.app, env, backup: record.id }, note);
      return { backup: record, env, safety, durationMs: this.now() - started, note };
    } finally {
      lease.release();
      await rm(file, { force: true });
    }
  }

  /** Deletes the copies `keep:` lets go, locally and remotely; never the newest good backup. */
  async prune(app: string, env: string, spec: BackupSpec): Promise<string[]> {
    const { store, secrets, logger } = this.options;
    const stored = store.backups
      .list({ app, env, name: spec.name })
      .filter((b) => (b.status === "good" || b.status === "bad") && b.locations.length > 0);
    const doomed = backupsToPrune(
      stored.map((b) => ({ id: b.id, createdAt: b.createdAt, good: b.status === "good" })),
      spec.keep,
      this.now(),
    );
    for (const id of doomed) {
      const record = stored.find((b) => b.id === id)!;
      const left: BackupLocation[] = [];
      for (const location of record.locations) {
        try {
          await deleteCopy(location, secrets);
        } catch (error) {
          left.push(location);
          logger.error(
            { app, backup: id, err: String(error) },
            `could not delete ${describeLocation(location)}`,
          );
        }
      }
      store.backups.setLocations(app, id, left, this.now());
    }
    return doomed;
  }

  /** One backup of one database, queued behind any other of the same database. */
  private take(target: Target, trigger: BackupTrigger, release: string | null): Promise<BackupRecord> {
    const key = `${target.app}/${target.env}/${target.spec.name}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.takeNow(target, trigger, release));
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }

  private async takeNow(
    target: Target,
    trigger: BackupTrigger,
    release: string | null,
  ): Promise<BackupRecord> {
    const { store, dataDir, secrets, logger } = this.options;
    const { app, env, spec, index } = target;
    const record = store.backups.start({
      app,
      env,
      name: spec.name,
      kind: spec.source.kind,
      trigger,
      release,
      keySecret: spec.encryptionKeySecret ?? null,
      now: this.now(),
    });
    const scratch = await this.scratch(record);
    const archive = `${scratch}.archive`;
    try {
      const key = spec.encryptionKeySecret
        ? this.key(spec.encryptionKeySecret, `backups.${index}.encryption.key_secret`)
        : undefined;
      const source = this.source(target);
      if (source.kind === "sqlite" && !existsSync(source.file))
        throw new Error(
          `there is no SQLite database at ${spec.source.kind === "sqlite" ? spec.source.path : ""} in the app's storage (${source.file})`,
        );
      const taken = await takeArchive(source, archive, key, scratch);
      const copies = await storeCopies(
        {
          app,
          env,
          name: spec.name,
          fileName: archiveName(record, key !== undefined),
          file: archive,
          bytes: taken.digest.bytes,
          localDir: dataDir.backupsDir(app, env, spec.name),
        },
        spec.to,
        secrets,
        `backups.${index}`,
      );
      if (copies.locations.length === 0) throw new Error(copies.errors.join("; "));
      const good = taken.verification.ok;
      store.backups.finish(app, record.id, {
        status: good ? "good" : "bad",
        bytes: taken.digest.bytes,
        sha256: taken.digest.sha256,
        tables: taken.tables,
        locations: copies.locations,
        verifyNote: taken.verification.note,
        now: this.now(),
      });
      const finished = store.backups.get(app, record.id)!;
      const labels = { app, env, database: spec.name };
      if (good)
        this.options.metrics?.good(labels, finished.createdAt, taken.digest.bytes, finished.durationMs ?? 0);
      else {
        this.options.metrics?.notGood(labels, "bad");
        this.alertFailed(target, record.id, taken.verification.note, true);
      }
      if (copies.errors.length > 0)
        this.alertFailed(target, record.id, `stored, but not everywhere: ${copies.errors.join("; ")}`, false);
      logger[good ? "info" : "error"](
        {
          app,
          env,
          database: spec.name,
          backup: record.id,
          bytes: taken.digest.bytes,
          ms: finished.durationMs,
        },
        `backup ${record.id} of ${spec.name}: ${good ? "verified" : "FAILED VERIFICATION"}: ${taken.verification.note}`,
      );
      await this.prune(app, env, spec).catch((error) =>
        logger.error({ app, env, database: spec.name, err: String(error) }, "pruning backups failed"),
      );
      return store.backups.get(app, record.id)!;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      store.backups.fail(app, record.id, reason, this.now());
      this.options.metrics?.notGood({ app, env, database: spec.name }, "failed");
      this.alertFailed(target, record.id, reason, false);
      logger.error(
        { app, env, database: spec.name, backup: record.id },
        `backup ${record.id} failed: ${reason}`,
      );
      return store.backups.get(app, record.id)!;
    } finally {
      await rm(archive, { force: true });
    }
  }

  /**
   * Fetches the archive into `file` and checks it against what was recorded (checksum; for SQLite also
   * integrity and row counts); a restore goes no further when this fails, unless forced.
   */
  private async fetch(
    record: BackupRecord,
    key: string | undefined,
    file: string,
    force: boolean,
  ): Promise<string> {
    const expected = { bytes: record.bytes!, sha256: record.sha256! };
    try {
      await unpackArchive(
        await this.openFirstCopy(record),
        file,
        formatFor(record.kind, key),
        force ? undefined : expected,
        `backup ${record.id}`,
      );
    } catch (error) {
      if (error instanceof DecryptionError) throw error;
      throw new OperationError(`cannot read ${record.id}: ${(error as Error).message}`, {
        hint: "nothing was restored",
      });
    }
    // A PostgreSQL dump was restored into a scratch database when taken; the checksum says this is it.
    if (record.kind === "postgres") return "checksum matches the backup as taken";
    const problems = inspectionProblems(await inspect(file), record.tables);
    if (problems.length === 0) return "integrity_check ok, row counts as taken";
    if (!force)
      throw new OperationError(`${record.id} does not verify: ${problems.join("; ")}`, {
        hint: "nothing was restored; pick another backup (skiff backups), or pass --force",
      });
    return `restored with --force despite: ${problems.join("; ")}`;
  }

  private async apply(target: Target, file: string): Promise<void> {
    const source = this.source(target);
    if (source.kind === "postgres") return pgRestore(file, source.connection);
    await mkdir(dirname(source.file), { recursive: true });
    await restoreInto(file, source.file);
  }

  private async openFirstCopy(record: BackupRecord) {
    const errors: string[] = [];
    // Local copies first: no network, no egress fees.
    const ordered = [...record.locations].sort(
      (a, b) => (a.kind === "local" ? -1 : 0) - (b.kind === "local" ? -1 : 0),
    );
    for (const location of ordered) {
      try {
        return await openCopy(location, this.options.secrets);
      } catch (error) {
        errors.push(`${describeLocation(location)}: ${(error as Error).message}`);
      }
    }
    throw new OperationError(`no copy of ${record.id} can be read: ${errors.join("; ")}`);
  }

  /** A backup with stored copies and a checksum, or an error saying why it cannot be used. */
  private stored(app: string, id: string): BackupRecord {
    const record = this.get(app, id);
    if (record.status === "running") throw new OperationError(`${id} is still being taken`);
    if (record.status === "failed")
      throw new OperationError(`${id} failed and has no archive: ${record.error}`);
    if (record.locations.length === 0 || record.bytes === null || record.sha256 === null)
      throw new OperationError(`${id} was pruned: its copies are deleted`);
    return record;
  }

  /** The database a backup belongs to, in `env` (its own, or the one to restore into). */
  private targetOf(record: BackupRecord, env: string): Target {
    const [target] = this.targets(record.app, env, record.name);
    if (target!.spec.source.kind !== record.kind)
      throw new OperationError(
        `${record.id} is a ${record.kind} backup, but database "${record.name}" of ${env} is ${target!.spec.source.kind}`,
      );
    return target!;
  }

  private source(target: Target): Source {
    const { spec, index } = target;
    if (spec.source.kind === "sqlite") {
      return { kind: "sqlite", file: this.sqliteFile(target) };
    }
    const name = spec.source.urlSecret;
    const url = this.options.secrets(name);
    if (!url)
      throw new OperationError(
        `backups.${index}.postgres_url_secret: ${name} is not set in the agent's secret store or environment (skiff secrets set ${name})`,
      );
    return { kind: "postgres", connection: pgConnection(url, name) };
  }

  private sqliteFile(target: Target): string {
    if (target.spec.source.kind !== "sqlite") throw new Error("not a SQLite database");
    return join(this.options.dataDir.storageDir(target.app, target.env), target.spec.source.path);
  }

  private key(secretName: string, field: string, id?: string): string {
    const value = this.options.secrets(secretName);
    const problem = keyProblem(secretName, value);
    if (problem)
      throw id
        ? new DecryptionError(
            `${id} is encrypted, and ${problem}`,
            EXIT.failed,
            "restore refuses without the key it was made with",
          )
        : new OperationError(`${field}: ${problem}`);
    return value!;
  }

  private async scratch(record: BackupRecord): Promise<string> {
    const dir = this.options.dataDir.path("backups", ".staging");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return join(
      dir,
      `${record.app}-${record.env.replace(/[^a-z0-9-]/g, "_")}-${record.id}-${process.hrtime.bigint()}`,
    );
  }

  private alertFailed(target: Target, id: string, reason: string, verification: boolean): void {
    const { app, env, spec } = target;
    this.options.alert?.(
      app,
      backupFailedMessage(
        {
          app,
          env,
          name: spec.name,
          id,
          reason,
          verification,
          lastGoodAt: this.options.store.backups.lastGood(app, env, spec.name)?.createdAt,
        },
        this.now(),
      ),
    );
  }
}

/** `b12-20260102T030000Z.sqlite.gz`, `.pgdump`, `.age` when encrypted: sorts by time within an id. */
function archiveName(record: BackupRecord, encrypted: boolean): string {
  const stamp = new Date(record.createdAt)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const ext = record.kind === "sqlite" ? "sqlite.gz" : "pgdump";
  return `${record.id}-${stamp}.${ext}${encrypted ? ".age" : ""}`;
}
