import { Instance, type InstanceEvent } from "./instance.js";
import type { LogFile } from "./log-file.js";
import { runOneShot } from "./one-shot.js";
import { processEnvironment, type ReleaseEnvironment } from "./process-env.js";
import type { ReleaseInstance } from "./release-instance.js";
import type { CheckCommand } from "./uptime-gate.js";

/** One place in a release's instance group: what any kind of instance needs to fill it. */
export interface InstanceSlot {
  /** The process type (`web`, `worker`…) and its index among that type's instances. */
  process: string;
  idx: number;
  /** The type's command; "" for a container app's web process that runs its image's own command. */
  command: string;
  /** Web only: the port on 127.0.0.1 the agent reaches it on. */
  port: number | undefined;
  stopTimeoutMs: number;
  /** A process an earlier agent left running, taken over instead of started (host processes, adopt.ts). */
  adopted?: { id: string; pid: number; startedAt: number };
  /** Its type's log. */
  log: LogFile;
  onEvent: (instance: ReleaseInstance, event: InstanceEvent) => void;
}

/**
 * How a release's instances are made and checked: host processes (`hostInstances`) or containers
 * (src/containers/container-instances.ts). The instance group, the gates, supervision, the switch and
 * the drain only ever see `ReleaseInstance`, so whatever runs an instance changes here and nowhere else.
 */
export interface InstanceFactory {
  /** What runs the release: `process` or `container` (for `skiff status` and the logs). */
  readonly kind: "process" | "container";
  create(slot: InstanceSlot): ReleaseInstance;
  /** Runs a worker's `healthcheck.command` where that instance runs (exit 0 passes). */
  check(instance: ReleaseInstance, slot: InstanceSlot): CheckCommand;
}

/** Instances as host processes in the release directory, with the release's environment. */
export function hostInstances(base: {
  app: string;
  artifact: string;
  dir: string;
  release: ReleaseEnvironment;
}): InstanceFactory {
  return {
    kind: "process",
    create: (slot) =>
      new Instance({
        app: base.app,
        artifact: base.artifact,
        dir: base.dir,
        release: base.release,
        process: slot.process,
        idx: slot.idx,
        command: slot.command,
        port: slot.port,
        log: slot.log,
        stopTimeoutMs: slot.stopTimeoutMs,
        ...(slot.adopted ? { adopted: slot.adopted } : {}),
        onEvent: slot.onEvent,
      }),
    check: (instance, slot) => async (command, timeoutMs, signal) => {
      const label = `${slot.process === "web" ? "instance" : slot.process} ${instance.idx}`;
      const result = await runOneShot(command, {
        label: `${label} healthcheck`,
        cwd: base.dir,
        env: processEnvironment(base.release, { process: slot.process }),
        user: base.release.user,
        log: slot.log,
        signal,
        timeoutMs,
      });
      const reason = result.timedOut
        ? `timed out after ${timeoutMs}ms`
        : (result.signal ?? `exit code ${result.code}`);
      return { ok: result.ok, reason };
    },
  };
}
