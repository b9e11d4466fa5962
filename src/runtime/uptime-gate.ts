import type { ProcessSpec } from "../config/processes.js";
import type { GateResult } from "./health-gate.js";
import type { ReleaseInstance } from "./release-instance.js";

type Gated = Pick<ReleaseInstance, "process" | "idx" | "lastExit" | "whenExited">;

/** Runs a process type's `healthcheck.command` for one instance: exit 0 passes. */
export type CheckCommand = (
  command: string,
  timeoutMs: number,
  signal: AbortSignal,
) => Promise<{ ok: boolean; reason: string }>;

/**
 * The gate of a process that takes no traffic (a worker): it must stay up `minUptimeMs` without exiting,
 * then pass its `healthcheck.command` when it has one. An exit fails it at once, with the exit code.
 */
export async function uptimeGate(
  instance: Gated,
  spec: Pick<ProcessSpec, "minUptimeMs" | "healthcheck">,
  check: CheckCommand,
  signal: AbortSignal,
): Promise<GateResult> {
  const started = Date.now();
  const label = `${instance.process} ${instance.idx}`;
  const outcome = await new Promise<"up" | "exited" | "cancelled">((resolve) => {
    const settle = (how: "up" | "exited" | "cancelled") => {
      clearTimeout(timer);
      signal.removeEventListener("abort", cancel);
      resolve(how);
    };
    const cancel = () => settle("cancelled");
    const timer = setTimeout(() => settle("up"), spec.minUptimeMs);
    signal.addEventListener("abort", cancel, { once: true });
    instance.whenExited().then(() => settle("exited"));
    if (signal.aborted) settle("cancelled");
  });
  if (outcome === "cancelled") return { ok: false, ms: Date.now() - started, reason: "cancelled" };
  if (outcome === "exited") {
    const exit = instance.lastExit;
    const how = exit?.signal ? `was killed by ${exit.signal}` : `exited with code ${exit?.code ?? "unknown"}`;
    const seconds = Math.round(spec.minUptimeMs / 100) / 10;
    return { ok: false, ms: Date.now() - started, reason: `${label} ${how} before it was up ${seconds}s` };
  }
  if (spec.healthcheck) {
    const result = await check(spec.healthcheck.command, spec.healthcheck.timeoutMs, signal);
    if (!result.ok)
      return {
        ok: false,
        ms: Date.now() - started,
        reason: `${label}: healthcheck failed (${result.reason})`,
      };
  }
  return { ok: true, ms: Date.now() - started };
}
