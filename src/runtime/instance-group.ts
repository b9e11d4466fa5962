import { type ProcessSpec, WEB } from "../config/processes.js";
import type { AppConfig } from "../config/schema.js";
import { probe } from "./health-check.js";
import { type GateResult, healthGate } from "./health-gate.js";
import type { InstanceEvent } from "./instance.js";
import type { InstanceFactory, InstanceSlot } from "./instance-factory.js";
import type { LogFile } from "./log-file.js";
import type { ReleaseInstance } from "./release-instance.js";
import { uptimeGate } from "./uptime-gate.js";

export type HealthcheckConfig = AppConfig["healthcheck"];

/** Consecutive failed checks before a running instance counts as unhealthy (one blip is not an outage). */
const UNHEALTHY_AFTER = 2;

export interface InstanceGroupOptions {
  app: string;
  /** The release whose files these processes run. */
  artifact: string;
  config: AppConfig;
  /** What runs each instance: a host process or a container (instance-factory.ts). */
  instances: InstanceFactory;
  /** One per web instance, in order. */
  ports: number[];
  /** Processes an earlier agent left running, one per web port, adopted instead of started (adopt.ts). */
  adopted?: Array<{ id: string; pid: number; startedAt: number }>;
  /** Each process type's log (web's is the release log). */
  log: (process: string) => LogFile;
  onEvent: (instance: ReleaseInstance, event: InstanceEvent) => void;
}

/**
 * All processes of one release, of every type: started together, gated together (web over HTTP, the
 * others by staying up), watched on the configured interval once they serve, and stopped together. After
 * a switch the replaced release's non-web processes stop at once (`stopOthers`) while its web instances
 * stay warm for a rollback, which starts them again (`startOthers`).
 */
export class InstanceGroup {
  readonly instances: ReleaseInstance[];
  /** While warm after being replaced: when it will be stopped (epoch ms). */
  warmUntil: number | undefined;
  private monitor: NodeJS.Timeout | undefined;
  private readonly failures = new Map<ReleaseInstance, number>();
  private readonly passes = new Map<ReleaseInstance, number>();
  private readonly specs = new Map<string, ProcessSpec>();
  private readonly slots = new Map<ReleaseInstance, InstanceSlot>();

  constructor(readonly options: InstanceGroupOptions) {
    const ports = [...options.ports];
    const adopted = [...(options.adopted ?? [])];
    this.instances = options.config.processes.flatMap((spec) => {
      this.specs.set(spec.name, spec);
      return Array.from({ length: spec.instances }, (_, idx) => this.instanceOf(spec, idx, ports, adopted));
    });
  }

  get artifact(): string {
    return this.options.artifact;
  }

  /** The instances that take traffic. */
  get web(): ReleaseInstance[] {
    return this.instances.filter((i) => i.process === WEB);
  }

  /** The instances of every other type (workers). */
  get others(): ReleaseInstance[] {
    return this.instances.filter((i) => i.process !== WEB);
  }

  start(): void {
    for (const instance of this.instances) instance.start();
  }

  /** Every instance must pass (web: its HTTP check; others: staying up); the first failure fails the gate. */
  async gate(
    signal: AbortSignal,
    instances: readonly ReleaseInstance[] = this.instances,
  ): Promise<GateResult> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener("abort", abort, { once: true });
    try {
      const results = instances.map((instance) =>
        this.gateOne(instance, controller.signal).then((result) => {
          if (!result.ok) controller.abort();
          return result;
        }),
      );
      const settled = await Promise.all(results);
      const failed = settled.find((r) => !r.ok && r.reason !== "cancelled") ?? settled.find((r) => !r.ok);
      if (failed) return failed;
      for (const instance of instances) {
        instance.state = "running";
        instance.healthy = true;
      }
      return { ok: true, ms: Math.max(0, ...settled.map((r) => r.ms)) };
    } finally {
      signal.removeEventListener("abort", abort);
    }
  }

  /** From now on: restart crashed instances and keep `healthy` current for the load balancer. */
  supervise(): void {
    for (const instance of this.instances) instance.supervised = true;
    const { intervalMs } = this.options.config.healthcheck;
    clearInterval(this.monitor);
    this.monitor = setInterval(() => void this.checkAll(), intervalMs);
    this.monitor.unref();
  }

  /** A replaced release's workers stop (honouring their stop_timeout) so two versions never work the queue. */
  async stopOthers(): Promise<number> {
    const running = this.others.filter((i) => i.state !== "stopped");
    await Promise.all(running.map((instance) => instance.stop()));
    return running.length;
  }

  /** A warm release going live again gets its stopped workers back; they are supervised from the switch. */
  startOthers(): number {
    const stopped = this.others.filter((i) => i.state === "stopped");
    for (const instance of stopped) instance.start();
    return stopped.length;
  }

  /** Leaves the processes running, unwatched, for the agent that replaces this one to adopt. */
  detach(): void {
    clearInterval(this.monitor);
    this.monitor = undefined;
    // A container has nothing to detach: the next agent's reconciliation removes it and starts afresh.
    for (const instance of this.instances) instance.detach?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.monitor);
    this.monitor = undefined;
    await Promise.all(this.instances.map((instance) => instance.stop()));
  }

  /** What runs it: `process` or `container`. */
  get kind(): InstanceFactory["kind"] {
    return this.options.instances.kind;
  }

  private instanceOf(
    spec: ProcessSpec,
    idx: number,
    ports: number[],
    adopted: Array<{ id: string; pid: number; startedAt: number }>,
  ): ReleaseInstance {
    const { options } = this;
    const takenOver = spec.name === WEB ? adopted.shift() : undefined;
    const slot: InstanceSlot = {
      process: spec.name,
      idx,
      command: spec.command,
      port: spec.name === WEB ? ports.shift() : undefined,
      log: options.log(spec.name),
      stopTimeoutMs: spec.stopTimeoutMs,
      ...(takenOver ? { adopted: takenOver } : {}),
      onEvent: options.onEvent,
    };
    const instance = options.instances.create(slot);
    this.slots.set(instance, slot);
    return instance;
  }

  private gateOne(instance: ReleaseInstance, signal: AbortSignal): Promise<GateResult> {
    if (instance.process === WEB) return healthGate(instance, this.options.config.healthcheck, signal);
    const spec = this.specs.get(instance.process)!;
    const check = this.options.instances.check(instance, this.slots.get(instance)!);
    return uptimeGate(instance, spec, check, signal);
  }

  private async checkAll(): Promise<void> {
    const { healthcheck } = this.options.config;
    await Promise.all(
      this.instances.map(async (instance) => {
        if (instance.state !== "running" && instance.state !== "starting") return;
        if (instance.port === undefined) return this.upAgain(instance);
        const result = await probe("127.0.0.1", instance.port, healthcheck.path, healthcheck.timeoutMs);
        this.record(instance, result.ok);
      }),
    );
  }

  /** A restarted worker counts as running again once it has stayed up as long as its gate asks. */
  private upAgain(instance: ReleaseInstance): void {
    const spec = this.specs.get(instance.process)!;
    if (instance.state === "starting" && Date.now() - instance.startedAt >= spec.minUptimeMs) {
      instance.state = "running";
    }
    instance.healthy = instance.state === "running";
  }

  private record(instance: ReleaseInstance, ok: boolean): void {
    if (ok) {
      this.failures.set(instance, 0);
      const passes = (this.passes.get(instance) ?? 0) + 1;
      this.passes.set(instance, passes);
      // A restarted instance earns traffic back the same way a new one does.
      if (instance.state === "starting" && passes >= this.options.config.healthcheck.healthyThreshold) {
        instance.state = "running";
      }
      if (instance.state === "running") instance.healthy = true;
    } else {
      this.passes.set(instance, 0);
      const failures = (this.failures.get(instance) ?? 0) + 1;
      this.failures.set(instance, failures);
      if (failures >= UNHEALTHY_AFTER) instance.healthy = false;
    }
  }
}
