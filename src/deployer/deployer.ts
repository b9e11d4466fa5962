import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { CONFIG_FILE, parseAppConfig, readProcfile } from "../config/load.js";
import type { AppConfig } from "../config/schema.js";
import { deploymentKey, isPreview, PRODUCTION } from "../environments/names.js";
import { configForEnvironment } from "../environments/resolve.js";
import { OperationError } from "../errors.js";
import { formatBytes } from "../format/bytes.js";
import type { DataDir } from "../store/data-dir.js";
import type { CommitRecord, NewRelease, Release } from "../store/releases.js";
import type { Store } from "../store/store.js";
import { copiedFrom, deploySteps, healthy, released, routeFree, started, warm } from "./deploy-steps.js";
import type { DeployInput, DeployOutcome, PromoteInput, RollbackInput } from "./inputs.js";
import { acquireLease, LockedError } from "./lease.js";
import { operate } from "./operate.js";
import { recover } from "./recovery.js";
import { chooseRollbackTarget } from "./rollback-target.js";
import { type BackupBeforeRelease, type DeployerParts, type DeployRuntime, newRun } from "./run.js";
import type { Serving } from "./serving.js";
import { type Emit, StepRecorder } from "./steps.js";
import { parseVersion, releaseVersion } from "./versioning.js";

export interface DeployerOptions {
  store: Store;
  dataDir: DataDir;
  runtime: DeployRuntime;
  serving: Serving;
  logger: Logger;
  /** Identifies this agent run in lease holders, so a restart can drop its predecessor's leases. */
  bootId: string;
  /** Backs up the databases before a release command (src/backups/); see DeployerParts. */
  backupBeforeRelease?: BackupBeforeRelease;
}

/**
 * Deploy, rollback, promote and remove, each under the app's lease, each a release in the ledger made
 * of named steps recorded and streamed to the client: received → unpacked → built → started → healthy →
 * switched → drained → finished (or failed). The steps are in deploy-steps.ts, how they run and fail in
 * operate.ts, the switch in go-live.ts. A release that is not healthy never gets traffic, and a failure
 * leaves the previous release serving. What happened is told to `onOutcome` listeners.
 */
export class Deployer {
  private readonly parts: DeployerParts;
  private readonly listeners = new Set<(outcome: DeployOutcome) => void>();
  /** Rollbacks that answered and whose replaced release still drains, as `app/release`. */
  private readonly drains = new Set<string>();

  constructor(private readonly options: DeployerOptions) {
    const { store, dataDir, runtime, serving, logger, backupBeforeRelease } = options;
    this.parts = {
      store,
      dataDir,
      runtime,
      serving,
      logger,
      ...(backupBeforeRelease ? { backupBeforeRelease } : {}),
      outcome: (outcome) => {
        for (const listener of this.listeners) listener(outcome);
      },
    };
  }

  /** Hears of every release that goes live and every operation that fails; returns how to stop. */
  onOutcome(listener: (outcome: DeployOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async deploy(input: DeployInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const operation = `${input.env === PRODUCTION ? "deploy" : `deploy to ${input.env}`} of ${input.commit?.sha.slice(0, 7) ?? "an upload"}`;
    try {
      const lease = await this.lease(input.app, input.deployedBy, operation, input.wait, emit, signal);
      try {
        return await this.runDeploy(input, emit, signal);
      } finally {
        lease.release();
      }
    } finally {
      await rm(input.upload, { force: true });
    }
  }

  /**
   * Resolves as soon as 100% of the traffic is on the restored release: a rollback is an emergency. The
   * drain of the release it replaced goes on in the background, still under the lease, its outcome in
   * the ledger (the `drained` and `finished` steps).
   */
  async rollback(input: RollbackInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const lease = await this.lease(input.app, input.requestedBy, "rollback", input.wait, emit, signal);
    let drain: Promise<void> | undefined;
    try {
      const release = await this.runRollback(input, emit, signal, (rest) => {
        drain = rest;
      });
      if (drain) {
        const key = `${release.app}/${release.id}`;
        this.drains.add(key);
        void drain.then(() => this.drains.delete(key));
      }
      return release;
    } finally {
      if (!drain) lease.release();
      // The drain itself never rejects; releasing may, when the agent stopped and closed the ledger first.
      else
        void drain
          .then(() => lease.release())
          .catch((error) =>
            this.options.logger.warn({ app: input.app, err: error }, "lease after a rollback"),
          );
    }
  }

  /** Whether `release` answered (a rollback) and the release it replaced still drains in the background. */
  draining(app: string, release: string): boolean {
    return this.drains.has(`${app}/${release}`);
  }

  async promote(input: PromoteInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const operation = `promote ${input.from} → ${input.to}`;
    const lease = await this.lease(input.app, input.requestedBy, operation, input.wait, emit, signal);
    try {
      return await this.runPromote(input, emit, signal);
    } finally {
      lease.release();
    }
  }

  /**
   * Takes a preview (or any non-production deployment) out of service and off its route. A preview's
   * storage goes with it (it was its own); any other environment's stays, and the event says where and
   * how to delete it: data is never deleted without being asked for.
   */
  async remove(app: string, env: string, reason: string): Promise<Release | undefined> {
    const { store, serving, dataDir } = this.parts;
    const lease = await this.lease(
      app,
      "skiff",
      `remove ${env}`,
      true,
      () => undefined,
      new AbortController().signal,
    );
    try {
      const live = store.releases.live(app, env);
      await serving.remove(deploymentKey(app, env), live?.config.drainTimeoutMs ?? 5_000);
      if (live) store.releases.remove(app, live.id, reason, Date.now());
      const storage = dataDir.storageDir(app, env);
      let kept = "";
      if (isPreview(env)) await rm(storage, { recursive: true, force: true });
      else if (existsSync(storage))
        kept = `; its storage stays in ${storage} (delete it with: rm -rf '${storage}')`;
      store.events.add({
        app,
        release: live?.id ?? null,
        kind: "release",
        name: "removed",
        at: Date.now(),
        message: `${reason}${kept}`,
      });
      return live && store.releases.get(app, live.id);
    } finally {
      lease.release();
    }
  }

  /**
   * A deploy that failed before it could reach the pipeline (a push whose commit could not be fetched):
   * still a release in the history, failed with the reason, alerted and counted like any other.
   */
  recordFailure(input: {
    app: string;
    env: string;
    config: AppConfig;
    commit: CommitRecord | null;
    deployedBy: string | null;
    trigger: DeployInput["trigger"];
    reason: string;
  }): Release {
    const { store } = this.parts;
    const now = Date.now();
    const release = store.releases.create({ ...input, version: null, now });
    new StepRecorder(store, input.app, release.id, () => undefined).record("failed", false, 0, input.reason);
    store.releases.fail(input.app, release.id, input.reason, now);
    const failed = store.releases.get(input.app, release.id)!;
    this.parts.outcome({ type: "failed", release: failed, reason: input.reason });
    return failed;
  }

  /** After an agent start: finish the books on interrupted deploys and bring every live release back. */
  recover(signal: AbortSignal): Promise<void> {
    return recover(this.parts, signal);
  }

  private async runDeploy(input: DeployInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const { store } = this.parts;
    store.apps.register(input.registered, Date.now());
    const release = this.createRelease({
      app: input.app,
      env: input.env,
      trigger: input.trigger,
      version: input.version ?? null,
      commit: input.commit,
      deployedBy: input.deployedBy,
      config: input.config,
    });
    const steps = new StepRecorder(store, input.app, release.id, emit);
    steps.record(
      "received",
      true,
      input.uploadMs,
      `${formatBytes(input.uploadBytes)}, ${input.uploadFiles} entries`,
    );
    return operate(newRun(this.parts, release, steps, signal), deploySteps(input), {
      previousStatus: "superseded",
    });
  }

  private async runRollback(
    input: RollbackInput,
    emit: Emit,
    signal: AbortSignal,
    inBackground: (rest: Promise<void>) => void,
  ): Promise<Release> {
    const { store, serving } = this.parts;
    const { app } = input;
    const env = input.env ?? PRODUCTION;
    const current = store.releases.live(app, env);
    const to = input.to && parseVersion(input.to) ? this.releaseOfVersion(app, env, input.to) : input.to;
    const history = store.releases.list(app).filter((r) => r.env === env);
    const choice = chooseRollbackTarget(history, current, to);
    if (!choice.ok) throw new OperationError(`cannot roll back ${deploymentKey(app, env)}: ${choice.reason}`);
    const target = choice.release;
    const release = store.releases.create({
      app,
      env,
      trigger: input.trigger ?? "rollback",
      artifact: target.artifact,
      version: target.version,
      commit: target.commit,
      deployedBy: input.requestedBy,
      config: target.config,
      rollbackOf: current?.id ?? null,
      now: Date.now(),
    });
    const steps = new StepRecorder(store, app, release.id, emit);
    const reason = input.reason
      ? `${input.reason}; rolled back to ${target.id}`
      : `rolled back to ${target.id}`;
    const running = serving.takeWarm(deploymentKey(app, env), target.artifact);
    return operate(
      newRun(this.parts, release, steps, signal),
      running ? [warm(running)] : [started("cold start of "), healthy],
      { previousStatus: "rolled-back", reason, inBackground },
    );
  }

  private async runPromote(input: PromoteInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const { store } = this.parts;
    const { app, from, to } = input;
    if (from === to) throw new OperationError(`promote: ${from} → ${to} is the same environment`);
    const source = store.releases.live(app, from);
    if (!source) throw new OperationError(`${app} has no live release in ${from} to promote`);
    const config = configForEnvironment(this.artifactConfig(app, source.artifact), to);
    // A release directory links its storage: paths into one environment's storage, so with storage:
    // the promoted release gets its own (hard-linked) copy of the build, linked to its environment's.
    const ownFiles = config.storage.length > 0;
    const release = this.createRelease({
      app,
      env: to,
      trigger: "promote",
      ...(ownFiles ? {} : { artifact: source.artifact }),
      version: input.version ?? null,
      commit: source.commit,
      deployedBy: input.requestedBy,
      config,
    });
    const steps = new StepRecorder(store, app, release.id, emit);
    return operate(
      newRun(this.parts, release, steps, signal),
      [
        routeFree,
        ...(ownFiles ? [copiedFrom(source.artifact)] : []),
        released,
        started(`${source.id} of ${from}, same build: `),
        healthy,
      ],
      { previousStatus: "superseded" },
    );
  }

  /** A deploy's or a promote's release record, with the version it earns (versioning.ts). */
  private createRelease(input: Omit<NewRelease, "now" | "env"> & { env: string }): Release {
    const { releases } = this.parts.store;
    const sha = input.commit?.sha;
    const version = releaseVersion({
      env: input.env,
      given: input.version,
      ofCommit: sha && releases.versionOfCommit(input.app, sha),
      highest: releases.lastVersion(input.app)?.version,
    });
    return releases.create({ ...input, version, now: Date.now() });
  }

  /** The whole skiff.yml (every environment) that came with an artifact's files. */
  private artifactConfig(app: string, artifact: string): AppConfig {
    const file = join(this.parts.dataDir.releaseDir(app, artifact), CONFIG_FILE);
    if (!existsSync(file))
      throw new OperationError(`the files of ${artifact} were pruned; deploy its commit again`);
    return parseAppConfig(
      readFileSync(file, "utf8"),
      `${CONFIG_FILE} of ${artifact}`,
      readProcfile(this.parts.dataDir.releaseDir(app, artifact)),
    );
  }

  private releaseOfVersion(app: string, env: string, version: string): string {
    const release = this.parts.store.releases.byVersion(app, env, version);
    if (!release)
      throw new OperationError(`${deploymentKey(app, env)} has no release with version ${version}`);
    return release.id;
  }

  private lease(
    app: string,
    who: string | null,
    operation: string,
    wait: boolean,
    emit: Emit,
    signal: AbortSignal,
  ) {
    return acquireLease(
      this.parts.store.leases,
      {
        app,
        holder: `${this.options.bootId}:${randomBytes(4).toString("hex")}`,
        who: who ?? "unknown",
        operation,
      },
      {
        wait,
        signal,
        onWaiting: (held) => emit({ type: "waiting", message: new LockedError(held).message }),
      },
    );
  }
}
