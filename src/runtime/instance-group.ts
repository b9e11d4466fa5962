import type { AppConfig } from "../config/schema.js";
import { probe } from "./health-check.js";
import { type GateResult, healthGate } from "./health-gate.js";
import { Instance, type InstanceEvent } from "./instance.js";
import type { LogFile } from "./log-file.js";

export type HealthcheckConfig = AppConfig["healthcheck"];

/** Consecutive failed checks before a running instance counts as unhealthy (one blip is not an outage). */
const UNHEALTHY_AFTER = 2;

export interface InstanceGroupOptions {
  app: string;
  /** The release whose files these processes run. */
  artifact: string;
  dir: string;
  config: AppConfig;
  /** The processes' environment: `env:` and the values of `secrets:`, resolved at launch. */
  env: Record<string, string>;
  ports: number[];
  /** Processes an earlier agent left running, one per port, adopted instead of started (adopt.ts). */
  adopted?: Array<{ id: string; pid: number; startedAt: number }>;
  log: LogFile;
  onEvent: (instance: Instance, event: InstanceEvent) => void;
}

/**
 * All instances of one release. Started together, health-gated together, watched on the configured
 * interval once they serve, and stopped together.
 */
export class InstanceGroup {
  readonly instances: Instance[];
  /** While warm after being replaced: when it will be stopped (epoch ms). */
  warmUntil: number | undefined;
  private monitor: NodeJS.Timeout | undefined;
  private readonly failures = new Map<Instance, number>();
  private readonly passes = new Map<Instance, number>();

  constructor(readonly options: InstanceGroupOptions) {
    const { config } = options;
    this.instances = options.ports.map(
      (port, idx) =>
        new Instance({
          app: options.app,
          artifact: options.artifact,
          idx,
          dir: options.dir,
          command: config.start,
          env: options.env,
          port,
          log: options.log,
          stopTimeoutMs: config.stopTimeoutMs,
          ...(options.adopted?.[idx] ? { adopted: options.adopted[idx] } : {}),
          onEvent: options.onEvent,
        }),
    );
  }

  get artifact(): string {
    return this.options.artifact;
  }

  start(): void {
    for (const instance of this.instances) instance.start();
  }

  /** Every instance must pass; the first failure fails the gate. */
  async gate(signal: AbortSignal): Promise<GateResult> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener("abort", abort, { once: true });
    try {
      const results = this.instances.map((instance) =>
        healthGate(instance, this.options.config.healthcheck, controller.signal).then((result) => {
          if (!result.ok) controller.abort();
          return result;
        }),
      );
      const settled = await Promise.all(results);
      const failed = settled.find((r) => !r.ok && r.reason !== "cancelled") ?? settled.find((r) => !r.ok);
      if (failed) return failed;
      for (const instance of this.instances) {
        instance.state = "running";
        instance.healthy = true;
      }
      return { ok: true, ms: Math.max(...settled.map((r) => r.ms)) };
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

  /** Leaves the processes running, unwatched, for the agent that replaces this one to adopt. */
  detach(): void {
    clearInterval(this.monitor);
    this.monitor = undefined;
    for (const instance of this.instances) instance.detach();
  }

  async stop(): Promise<void> {
    clearInterval(this.monitor);
    this.monitor = undefined;
    await Promise.all(this.instances.map((instance) => instance.stop()));
  }

  private async checkAll(): Promise<void> {
    const { healthcheck } = this.options.config;
    await Promise.all(
      this.instances.map(async (instance) => {
        if (instance.state !== "running" && instance.state !== "starting") return;
        const result = await probe("127.0.0.1", instance.port, healthcheck.path, healthcheck.timeoutMs);
        this.record(instance, result.ok);
      }),
    );
  }

  private record(instance: Instance, ok: boolean): void {
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
