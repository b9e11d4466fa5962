import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Logger } from "pino";
import type { AppConfig } from "../config/schema.js";
import { OperationError, SkiffError } from "../errors.js";
import type { InstanceGroup } from "../runtime/instance-group.js";
import { tailLines } from "../runtime/log-file.js";
import type { Runtime } from "../runtime/runtime.js";
import type { DataDir } from "../store/data-dir.js";
import type { CommitRecord, Release } from "../store/releases.js";
import type { Store } from "../store/store.js";
import { unpackArtifact } from "./artifact.js";
import { runBuild } from "./build.js";
import { acquireLease, LockedError } from "./lease.js";
import { releasesToPrune, removeReleaseFiles } from "./prune.js";
import { chooseRollbackTarget } from "./rollback-target.js";
import type { Active, Serving } from "./serving.js";
import { type Emit, StepRecorder } from "./steps.js";

/** Lines of the release log shown when a build or a health gate fails. */
const LOG_TAIL_LINES = 50;

export interface DeployInput {
  app: string;
  config: AppConfig;
  /** The inspected tarball; deleted once unpacked. */
  upload: string;
  uploadBytes: number;
  uploadFiles: number;
  uploadMs: number;
  commit: CommitRecord | null;
  deployedBy: string | null;
  wait: boolean;
}

export interface RollbackInput {
  app: string;
  to?: string;
  requestedBy: string | null;
  wait: boolean;
}

export interface DeployerOptions {
  store: Store;
  dataDir: DataDir;
  runtime: Runtime;
  serving: Serving;
  logger: Logger;
  /** Identifies this agent run in lease holders, so a restart can drop its predecessor's leases. */
  bootId: string;
}

/**
 * The deploy pipeline and rollback, as named steps recorded in the ledger and streamed to the client:
 * received → unpacked → built → started → healthy → switched → drained → finished (or failed).
 * A release that is not healthy never gets traffic, and a failure leaves the previous release serving.
 */
export class Deployer {
  constructor(private readonly options: DeployerOptions) {}

  async deploy(input: DeployInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const operation = `deploy of ${input.commit?.sha.slice(0, 7) ?? "an upload"}`;
    const lease = await this.lease(input.app, input.deployedBy, operation, input.wait, emit, signal);
    try {
      return await this.runDeploy(input, emit, signal);
    } finally {
      lease.release();
      await rm(input.upload, { force: true });
    }
  }

  async rollback(input: RollbackInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const lease = await this.lease(input.app, input.requestedBy, "rollback", input.wait, emit, signal);
    try {
      return await this.runRollback(input, emit, signal);
    } finally {
      lease.release();
    }
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
    const { app, config } = input;
    const release = store.releases.create({
      app,
      trigger: "deploy",
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
    let group: InstanceGroup | undefined;
    try {
      const conflict = serving.routeConflict(app, config.hosts);
      if (conflict) throw new OperationError(conflict);
      const dir = dataDir.releaseDir(app, release.id);
      await steps.run(
        "unpacked",
        () => unpackArtifact(input.upload, dir),
        () => dir,
      );
      const log = runtime.log(app, release.id);
      if (config.build) {
        const build = await steps.run("built", () => runBuild(config.build!, dir, config.env, log, signal));
        if (!build.ok)
          throw this.failure(app, release.id, `the build failed (${exitText(build.code, build.signal)})`);
      }
      cancelled(signal);
      group = await steps.run("started", () => runtime.launch(app, release.id, config), describeGroup);
      await this.gate(steps, group, signal);
      return await this.goLive(steps, release, group, config, "superseded");
    } catch (error) {
      if (group && serving.live(app)?.group !== group) await runtime.retire(group);
      const reason = error instanceof Error ? error.message : String(error);
      store.releases.fail(app, release.id, reason, Date.now());
      steps.record("failed", false, steps.elapsed(), reason);
      throw this.withServingHint(app, error);
    }
  }

  private async runRollback(input: RollbackInput, emit: Emit, signal: AbortSignal): Promise<Release> {
    const { store, runtime, serving, dataDir } = this.options;
    const { app } = input;
    const current = store.releases.live(app);
    const choice = chooseRollbackTarget(store.releases.list(app), current, input.to);
    if (!choice.ok) throw new OperationError(`cannot roll back ${app}: ${choice.reason}`);
    const target = choice.release;
    const release = store.releases.create({
      app,
      env: target.env,
      trigger: "rollback",
      artifact: target.artifact,
      commit: target.commit,
      deployedBy: input.requestedBy,
      config: target.config,
      rollbackOf: current?.id ?? null,
      now: Date.now(),
    });
    const steps = new StepRecorder(store, app, release.id, emit);
    let group = serving.takeWarm(app, target.artifact);
    const cold = group === undefined;
    try {
      if (!group) {
        if (!existsSync(dataDir.releaseDir(app, target.artifact))) {
          throw new OperationError(`the files of ${target.artifact} were pruned; deploy its commit again`);
        }
        group = await steps.run(
          "started",
          () => runtime.launch(app, target.artifact, target.config),
          (g) => `cold start of ${target.artifact}: ${describeGroup(g)}`,
        );
        await this.gate(steps, group, signal);
      } else {
        steps.record("started", true, 0, `${target.artifact} is warm: no start needed`);
      }
      return await this.goLive(
        steps,
        release,
        group,
        target.config,
        "rolled-back",
        `rolled back to ${target.id}`,
      );
    } catch (error) {
      if (group && serving.live(app)?.group !== group && cold) await runtime.retire(group);
      const reason = error instanceof Error ? error.message : String(error);
      store.releases.fail(app, release.id, reason, Date.now());
      steps.record("failed", false, steps.elapsed(), reason);
      throw this.withServingHint(app, error);
    }
  }

  private async gate(steps: StepRecorder, group: InstanceGroup, signal: AbortSignal): Promise<void> {
    const gate = await group.gate(signal);
    steps.record(
      "healthy",
      gate.ok,
      gate.ms,
      gate.ok ? `${group.instances.length} of ${group.instances.length} healthy` : gate.reason,
    );
    if (!gate.ok) {
      throw this.failure(
        group.options.app,
        group.artifact,
        signal.aborted ? "cancelled by the client" : gate.reason,
      );
    }
    cancelled(signal);
  }

  /** Switch, record, drain the previous release and keep it warm, prune old files. */
  private async goLive(
    steps: StepRecorder,
    release: Release,
    group: InstanceGroup,
    config: AppConfig,
    previousStatus: "superseded" | "rolled-back",
    reason?: string,
  ): Promise<Release> {
    const { store, serving } = this.options;
    const app = release.app;
    const switchStarted = Date.now();
    const previous = serving.switchTo(app, config.hosts, release.id, group);
    store.releases.goLive(app, release.id, previousStatus, Date.now(), reason);
    steps.record(
      "switched",
      true,
      Date.now() - switchStarted,
      previous ? `from ${previous.release}` : "first release",
    );
    if (previous) await this.drain(steps, app, previous, config);
    await this.prune(app, config.keepReleases);
    steps.record("finished", true, steps.elapsed());
    return store.releases.get(app, release.id)!;
  }

  private async drain(steps: StepRecorder, app: string, previous: Active, config: AppConfig): Promise<void> {
    const started = Date.now();
    const left = await this.options.serving.retire(
      app,
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
    const live = store.releases.live(app);
    const protect = new Set(serving.runningArtifacts(app));
    if (live) protect.add(live.artifact);
    const target = chooseRollbackTarget(history, live);
    if (target.ok) protect.add(target.release.artifact);
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
    serving.route(app, config.hosts);
    const record = (name: string, ok: boolean, message: string) => {
      store.events.add({ app, release: release.id, kind: "agent", name, ok, at: Date.now(), message });
      logger[ok ? "info" : "error"]({ app, release: release.id }, message);
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
    serving.switchTo(app, config.hosts, release.id, group);
    record("recovered", true, `${release.id} serves again after an agent restart (${gate.ms}ms)`);
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
  private withServingHint(app: string, error: unknown): unknown {
    if (!(error instanceof SkiffError) || error.hint) return error;
    const live = this.options.store.releases.live(app);
    const hint = live ? `${live.id} is still live and serving ${app}` : `${app} has no live release`;
    return error instanceof OperationError
      ? new OperationError(error.message, { hint, details: error.details })
      : error;
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
