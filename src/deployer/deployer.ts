import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import semver from "semver";
import { CONFIG_FILE, parseAppConfig } from "../config/load.js";
import type { AppConfig } from "../config/schema.js";
import { configForEnvironment } from "../environments/resolve.js";
import { OperationError } from "../errors.js";
import type { InstanceGroup } from "../runtime/instance-group.js";
import { tailLines } from "../runtime/log-file.js";
import type { Runtime } from "../runtime/runtime.js";
import type { DataDir } from "../store/data-dir.js";
import { type CommitRecord, PRODUCTION, type Release, type Trigger } from "../store/releases.js";
import type { Store } from "../store/store.js";
import { unpackArtifact } from "./artifact.js";
import { runBuild } from "./build.js";
import { acquireLease, LockedError } from "./lease.js";
import { releasesToPrune, removeReleaseFiles } from "./prune.js";
import { chooseRollbackTarget } from "./rollback-target.js";
import { type Active, deploymentKey, type Serving } from "./serving.js";
import { type Emit, StepRecorder } from "./steps.js";

/** Lines of the release log shown when a build or a health gate fails. */
const LOG_TAIL_LINES = 50;

export interface DeployInput {
  app: string;
  /** `production`, a configured environment, or `preview:<slug>`. */
  env: string;
  /** skiff.yml as uploaded, every environment included: registered as the app's config. */
  registered: AppConfig;
  /** What this deployment runs with: `registered` resolved for `env` (or a preview's). */
  config: AppConfig;
  /** The inspected tarball; deleted once unpacked. */
  upload: string;
  uploadBytes: number;
  uploadFiles: number;
  uploadMs: number;
  commit: CommitRecord | null;
  deployedBy: string | null;
  trigger: Extract<Trigger, "cli" | "webhook">;
  /** The version worked out from the commits; production releases without one get a patch bump. */
  version?: string | null;
  wait: boolean;
  /** Checks on the unpacked files before anything runs (push deploys run preflight here). */
  check?: (dir: string, config: AppConfig) => Promise<CheckResult>;
}

export interface CheckResult {
  ok: boolean;
  /** One line: what was checked and found. */
  message: string;
  /** The blocking findings, one per line. */
  details: string[];
}

export interface RollbackInput {
  app: string;
  env?: string;
  /** A release id (r3) or a version (v1.4.2). */
  to?: string;
  requestedBy: string | null;
  trigger?: Extract<Trigger, "rollback" | "auto-rollback">;
  reason?: string;
  wait: boolean;
}

export interface PromoteInput {
  app: string;
  from: string;
  to: string;
  requestedBy: string | null;
  version?: string | null;
  wait: boolean;
}

/** What the rest of the agent hears from the deployer: a release went live, or an operation failed. */
export type DeployOutcome =
  | { type: "live"; release: Release; previous: string | undefined }
  | { type: "failed"; release: Release; reason: string };

export interface DeployerOptions {
  onOutcome?: (outcome: DeployOutcome) => void;
  store: Store;
  dataDir: DataDir;
  runtime: Runtime;
  serving: Serving;
  logger: Logger;
  /** Identifies this agent run in lease holders, so a restart can drop its predecessor's leases. */
  bootId: string;
}

/**
 * The deploy pipeline, rollback and promote, as named steps recorded in the ledger and streamed to the
 * client: received → unpacked → built → started → healthy → switched → drained → finished (or failed).
 * A release that is not healthy never gets traffic, and a failure leaves the previous release serving.
 */
export class Deployer {
  constructor(private readonly options: DeployerOptions) {}

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
      return await this.runRollback(input, emit, signal, (rest) => {
        drain = rest;
      });
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

  async promote(input: PromoteInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const lease = await this.lease(
      input.app,
      input.requestedBy,
      `promote ${input.from} → ${input.to}`,
      input.wait,
      emit,
      signal,
    );
    try {
      return await this.runPromote(input, emit, signal);
    } finally {
      lease.release();
    }
  }

  /** Takes a preview (or any non-production deployment) out of service and off its route. */
  async remove(app: string, env: string, reason: string): Promise<Release | undefined> {
    const { store, serving } = this.options;
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
      store.events.add({
        app,
        release: live?.id ?? null,
        kind: "release",
        name: "removed",
        at: Date.now(),
        message: reason,
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
    const { store } = this.options;
    const now = Date.now();
    const release = store.releases.create({ ...input, version: null, now });
    new StepRecorder(store, input.app, release.id, () => undefined).record("failed", false, 0, input.reason);
    store.releases.fail(input.app, release.id, input.reason, now);
    const failed = store.releases.get(input.app, release.id)!;
    this.options.onOutcome?.({ type: "failed", release: failed, reason: input.reason });
    return failed;
  }

  /** After an agent start: finish the books on interrupted deploys and bring every live release back. */
  async recover(signal: AbortSignal): Promise<void> {
    const { store } = this.options;
    for (const release of store.releases.unfinished()) {
      store.releases.fail(release.app, release.id, "the agent stopped during this deploy", Date.now());
    }
    await Promise.all(store.releases.allLive().map((release) => this.bringBack(release, signal)));
  }

  private async runDeploy(input: DeployInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const { store, dataDir, runtime, serving } = this.options;
    const { app, env, config } = input;
    store.apps.register(input.registered, Date.now());
    const release = store.releases.create({
      app,
      env,
      trigger: input.trigger,
      version: this.versionFor(app, env, input.version, input.commit?.sha),
      commit: input.commit,
      deployedBy: input.deployedBy,
      config,
      now: Date.now(),
    });
    const steps = new StepRecorder(store, app, release.id, emit);
    steps.record(
      "received",
      true,
      input.uploadMs,
      `${formatBytes(input.uploadBytes)}, ${input.uploadFiles} entries`,
    );
    return this.guarded(steps, release, async (track) => {
      const conflict = serving.routeConflict(deploymentKey(app, env), config.hosts);
      if (conflict) throw new OperationError(conflict);
      const dir = dataDir.releaseDir(app, release.id);
      await steps.run(
        "unpacked",
        () => unpackArtifact(input.upload, dir),
        () => dir,
      );
      if (input.check) {
        const check = input.check;
        const result = await steps.run(
          "checked",
          () => check(dir, config),
          (r) => r.message,
        );
        if (!result.ok) throw new OperationError(result.message, { details: result.details });
      }
      if (config.build) {
        const log = runtime.log(app, release.id);
        const build = await steps.run(
          "built",
          () =>
            runBuild(
              config.build!,
              dir,
              runtime.environment(config),
              log,
              signal,
              runtime.task("build", app, release.id, config.build!),
            ),
          (b) => (b.ok ? undefined : exitText(b.code, b.signal)),
        );
        if (!build.ok)
          throw this.failure(app, release.id, `the build failed (${exitText(build.code, build.signal)})`);
      }
      cancelled(signal);
      const group = track(
        await steps.run("started", () => runtime.launch(app, release.id, config), describeGroup),
      );
      await this.gate(steps, group, signal);
      return this.goLive(steps, release, group, config, "superseded");
    });
  }

  private async runRollback(
    input: RollbackInput,
    emit: Emit,
    signal: AbortSignal,
    inBackground: (rest: Promise<void>) => void,
  ): Promise<Release> {
    const { store, serving } = this.options;
    const { app } = input;
    const env = input.env ?? PRODUCTION;
    const current = store.releases.live(app, env);
    const to =
      input.to && /^v?\d+\.\d+\.\d+/.test(input.to) ? this.releaseOfVersion(app, env, input.to) : input.to;
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
    const warm = serving.takeWarm(deploymentKey(app, env), target.artifact);
    return this.guarded(steps, release, async (track) => {
      let group = warm;
      if (group) {
        steps.record("started", true, 0, `${target.artifact} is warm: no start needed`);
      } else {
        group = track(await this.coldStart(steps, app, target.artifact, target.config, "cold start of "));
        await this.gate(steps, group, signal);
      }
      return this.goLive(steps, release, group, target.config, "rolled-back", reason, inBackground);
    });
  }

  private async runPromote(input: PromoteInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const { store } = this.options;
    const { app, from, to } = input;
    if (from === to) throw new OperationError(`promote: ${from} → ${to} is the same environment`);
    const source = store.releases.live(app, from);
    if (!source) throw new OperationError(`${app} has no live release in ${from} to promote`);
    const config = configForEnvironment(this.artifactConfig(app, source.artifact), to);
    const release = store.releases.create({
      app,
      env: to,
      trigger: "promote",
      artifact: source.artifact,
      version: this.versionFor(app, to, input.version, source.commit?.sha),
      commit: source.commit,
      deployedBy: input.requestedBy,
      config,
      now: Date.now(),
    });
    const steps = new StepRecorder(store, app, release.id, emit);
    return this.guarded(steps, release, async (track) => {
      const conflict = this.options.serving.routeConflict(deploymentKey(app, to), config.hosts);
      if (conflict) throw new OperationError(conflict);
      const group = track(
        await this.coldStart(steps, app, source.artifact, config, `${source.id} of ${from}, same build: `),
      );
      await this.gate(steps, group, signal);
      return this.goLive(steps, release, group, config, "superseded");
    });
  }

  /**
   * Runs the steps of one operation; on failure stops what it started (unless it went live), marks the
   * release failed with the reason, and rethrows with what still serves.
   */
  private async guarded(
    steps: StepRecorder,
    release: Release,
    work: (track: (group: InstanceGroup) => InstanceGroup) => Promise<Release>,
  ): Promise<Release> {
    const { store, runtime, serving } = this.options;
    let started: InstanceGroup | undefined;
    try {
      return await work((group) => {
        started = group;
        return group;
      });
    } catch (error) {
      const key = deploymentKey(release.app, release.env);
      if (started && serving.live(key)?.group !== started) await runtime.retire(started);
      const reason = error instanceof Error ? error.message : String(error);
      store.releases.fail(release.app, release.id, reason, Date.now());
      steps.record("failed", false, steps.elapsed(), reason);
      this.options.onOutcome?.({
        type: "failed",
        release: store.releases.get(release.app, release.id)!,
        reason,
      });
      throw this.withServingHint(release.app, release.env, error);
    }
  }

  private async coldStart(
    steps: StepRecorder,
    app: string,
    artifact: string,
    config: AppConfig,
    what: string,
  ) {
    if (!existsSync(this.options.dataDir.releaseDir(app, artifact))) {
      throw new OperationError(`the files of ${artifact} were pruned; deploy its commit again`);
    }
    return steps.run(
      "started",
      () => this.options.runtime.launch(app, artifact, config),
      (g) => `${what}${describeGroup(g)}`,
    );
  }

  private async gate(steps: StepRecorder, group: InstanceGroup, signal: AbortSignal): Promise<void> {
    const gate = await group.gate(signal);
    const n = group.instances.length;
    steps.record("healthy", gate.ok, gate.ms, gate.ok ? `${n} of ${n} healthy` : gate.reason);
    if (!gate.ok) {
      throw this.failure(
        group.options.app,
        group.artifact,
        signal.aborted ? "cancelled by the client" : gate.reason,
      );
    }
    cancelled(signal);
  }

  /**
   * Switch, record, drain the previous release and keep it warm, prune old files. With `inBackground`,
   * everything after the switch is handed to it instead of awaited (the steps then go to the ledger only).
   */
  private async goLive(
    steps: StepRecorder,
    release: Release,
    group: InstanceGroup,
    config: AppConfig,
    previousStatus: "superseded" | "rolled-back",
    reason?: string,
    inBackground?: (rest: Promise<void>) => void,
  ): Promise<Release> {
    const { store, serving } = this.options;
    const { app } = release;
    const key = deploymentKey(app, release.env);
    const switchStarted = Date.now();
    const previous = serving.switchTo(key, config.hosts, release.id, group);
    store.releases.goLive(app, release.id, previousStatus, Date.now(), reason);
    steps.record(
      "switched",
      true,
      Date.now() - switchStarted,
      previous ? `from ${previous.release}` : "first release",
    );
    this.options.onOutcome?.({
      type: "live",
      release: store.releases.get(app, release.id)!,
      previous: previous?.release,
    });
    const rest = async () => {
      if (previous) await this.drain(steps, key, previous, config);
      await this.prune(app, config.keepReleases);
      steps.record("finished", true, steps.elapsed());
    };
    if (inBackground) {
      steps.detach();
      inBackground(
        rest().catch((error) =>
          this.options.logger.error({ app, release: release.id, err: error }, "after the switch"),
        ),
      );
    } else {
      await rest();
    }
    return store.releases.get(app, release.id)!;
  }

  private async drain(steps: StepRecorder, key: string, previous: Active, config: AppConfig): Promise<void> {
    const started = Date.now();
    const left = await this.options.serving.retire(
      key,
      previous,
      config.drainTimeoutMs,
      config.rollbackWindowMs,
    );
    const warm =
      config.rollbackWindowMs > 0 ? `, kept warm ${Math.round(config.rollbackWindowMs / 1000)}s` : "";
    const message =
      left > 0
        ? `${left} requests cut off after ${config.drainTimeoutMs}ms`
        : "all in-flight requests finished";
    steps.record("drained", left === 0, Date.now() - started, `${previous.release}: ${message}${warm}`);
  }

  private async prune(app: string, keep: number): Promise<void> {
    const { store, serving, runtime, dataDir } = this.options;
    const history = store.releases.list(app);
    const protect = serving.runningArtifacts(app);
    for (const live of history.filter((r) => r.status === "live")) {
      protect.add(live.artifact);
      const target = chooseRollbackTarget(
        history.filter((r) => r.env === live.env),
        live,
      );
      if (target.ok) protect.add(target.release.artifact);
    }
    const doomed = releasesToPrune(history, keep, protect).filter((r) =>
      existsSync(dataDir.releaseDir(app, r.id)),
    );
    for (const release of doomed) runtime.closeLog(app, release.id);
    await removeReleaseFiles(
      doomed.flatMap((r) => [
        dataDir.releaseDir(app, r.id),
        dataDir.logFile(app, r.id),
        `${dataDir.logFile(app, r.id)}.1`,
      ]),
    );
    for (const release of doomed) {
      store.events.add({ app, release: release.id, kind: "release", name: "pruned", at: Date.now() });
    }
  }

  private async bringBack(release: Release, signal: AbortSignal): Promise<void> {
    const { store, runtime, serving, dataDir, logger } = this.options;
    const { app, config } = release;
    const key = deploymentKey(app, release.env);
    serving.route(key, config.hosts);
    const record = (name: string, ok: boolean, message: string) => {
      store.events.add({ app, release: release.id, kind: "agent", name, ok, at: Date.now(), message });
      logger[ok ? "info" : "error"]({ app, env: release.env, release: release.id }, message);
    };
    if (!existsSync(dataDir.releaseDir(app, release.artifact))) {
      record("recover-failed", false, `the files of ${release.artifact} are missing`);
      return;
    }
    const group = await runtime.launch(app, release.artifact, config);
    const gate = await group.gate(signal);
    if (!gate.ok) {
      await runtime.retire(group);
      record("recover-failed", false, `could not bring ${release.id} back: ${gate.reason}`);
      return;
    }
    serving.switchTo(key, config.hosts, release.id, group);
    record("recovered", true, `${release.id} serves again after an agent restart (${gate.ms}ms)`);
  }

  /** The whole skiff.yml (every environment) that came with an artifact's files. */
  private artifactConfig(app: string, artifact: string): AppConfig {
    const file = join(this.options.dataDir.releaseDir(app, artifact), CONFIG_FILE);
    if (!existsSync(file))
      throw new OperationError(`the files of ${artifact} were pruned; deploy its commit again`);
    return parseAppConfig(readFileSync(file, "utf8"), `${CONFIG_FILE} of ${artifact}`);
  }

  /** Production releases carry a version: the one given, else a patch bump of the last (0.1.0 first). */
  /** A production release's version: the one its commit already had, else the one given, else a patch bump. */
  private versionFor(
    app: string,
    env: string,
    given: string | null | undefined,
    sha?: string,
  ): string | null {
    if (env !== PRODUCTION) return given ?? null;
    const earlier = sha && this.options.store.releases.versionOfCommit(app, sha);
    if (earlier) return earlier;
    if (given) return given.replace(/^v/, "");
    const last = this.options.store.releases.lastVersion(app);
    return last ? (semver.inc(last.version, "patch") ?? last.version) : "0.1.0";
  }

  private releaseOfVersion(app: string, env: string, version: string): string {
    const release = this.options.store.releases.byVersion(app, env, version);
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
      this.options.store.leases,
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

  private failure(app: string, artifact: string, reason: string): OperationError {
    return new OperationError(reason, {
      details: tailLines(this.options.dataDir.logFile(app, artifact), LOG_TAIL_LINES),
    });
  }

  /** Adds what is still serving to the error, so the user knows nothing broke for their visitors. */
  private withServingHint(app: string, env: string, error: unknown): unknown {
    if (!(error instanceof OperationError) || error.hint) return error;
    const live = this.options.store.releases.live(app, env);
    const where = deploymentKey(app, env);
    const hint = live ? `${live.id} is still live and serving ${where}` : `${where} has no live release`;
    return new OperationError(error.message, { hint, details: error.details });
  }
}

function cancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new OperationError("cancelled by the client");
}

function describeGroup(group: InstanceGroup): string {
  return group.instances.map((i) => `pid ${i.pid} :${i.port}`).join(", ");
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
