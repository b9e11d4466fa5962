import pino from "pino";
import type { GateResult } from "../../runtime/health-gate.js";
import { InstanceGroup } from "../../runtime/instance-group.js";
import { type LaunchSpec, Runtime } from "../../runtime/runtime.js";
import type { DataDir } from "../../store/data-dir.js";
import type { Store } from "../../store/store.js";

/** Instances that never spawn: the gate answers what the test scripted, stop only takes note. */
export class FakeGroup extends InstanceGroup {
  stopped = false;

  constructor(
    options: InstanceGroup["options"],
    private readonly gateResult: GateResult,
  ) {
    super(options);
  }

  override start(): void {}

  override async gate(signal: AbortSignal): Promise<GateResult> {
    if (signal.aborted) return { ok: false, ms: 0, reason: "cancelled" };
    if (!this.gateResult.ok) return this.gateResult;
    for (const instance of this.instances) {
      instance.state = "running";
      instance.healthy = true;
    }
    return this.gateResult;
  }

  override supervise(): void {}

  /** How many times its other process types were stopped (after a switch) and started (a warm rollback). */
  othersStopped = 0;
  othersStarted = 0;

  override async stopOthers(): Promise<number> {
    this.othersStopped++;
    return this.others.length;
  }

  override startOthers(): number {
    this.othersStarted++;
    return this.others.length;
  }

  override async stop(): Promise<void> {
    this.stopped = true;
  }
}

/**
 * The real runtime (logs, environment, bookkeeping) except that `launch` starts no process: a test of
 * the deploy pipeline runs in milliseconds and decides each release's health gate.
 */
export class FakeRuntime extends Runtime {
  /** Every group launched, in order. */
  readonly launched: FakeGroup[] = [];
  /** The gate result of the next launch of an artifact; ok by default. */
  readonly gates = new Map<string, GateResult>();
  private nextPort = 40_000;

  constructor(dataDir: DataDir, store: Store) {
    super({ dataDir, store, logger: pino({ level: "silent" }) });
  }

  /** Every launch, as asked. */
  readonly launches: LaunchSpec[] = [];

  override async launch(spec: LaunchSpec): Promise<InstanceGroup> {
    const { app, artifact, config } = spec;
    this.launches.push(spec);
    const group = new FakeGroup(
      {
        app,
        artifact,
        dir: "",
        config,
        release: this.environment(spec),
        ports: Array.from({ length: config.instances }, () => this.nextPort++),
        log: (process) => this.log(app, artifact, process),
        onEvent: () => undefined,
      },
      this.gates.get(artifact) ?? { ok: true, ms: 1 },
    );
    this.gates.delete(artifact);
    this.launched.push(group);
    return group;
  }

  /** The artifacts launched, in order. */
  artifacts(): string[] {
    return this.launched.map((g) => g.artifact);
  }
}
