import { setTimeout as sleep } from "node:timers/promises";
import { probe } from "./health-check.js";
import type { HealthcheckConfig } from "./instance-group.js";
import type { ReleaseInstance } from "./release-instance.js";

/** What the gate needs of an instance: a host process and a container both provide it. */
type Gated = Pick<ReleaseInstance, "idx" | "port" | "lastExit" | "whenExited">;

export type GateResult = { ok: true; ms: number } | { ok: false; ms: number; reason: string };

/** How often the gate probes: fast enough that an app that boots in 70 ms is not held back by `interval`. */
const GATE_PROBE_EVERY_MS = 25;
const NO_CHECK_YET = "no check completed yet";

/**
 * Waits until `instance` passes `healthyThreshold` health checks in a row. Fails at once when the process
 * exits, or when `deployTimeoutMs` passes, with the reason a human needs: the exit code, or how long we
 * waited and what the last check saw.
 */
export async function healthGate(
  instance: Gated,
  check: HealthcheckConfig,
  signal: AbortSignal,
): Promise<GateResult> {
  const started = Date.now();
  const deadline = started + check.deployTimeoutMs;
  let passes = 0;
  let lastError = NO_CHECK_YET;
  let exited = false;
  instance.whenExited().then(() => {
    exited = true;
  });
  const every = Math.min(GATE_PROBE_EVERY_MS, check.intervalMs);
  while (!signal.aborted) {
    if (exited) return { ok: false, ms: Date.now() - started, reason: exitReason(instance) };
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const seconds = Math.round(check.deployTimeoutMs / 100) / 10;
      return {
        ok: false,
        ms: Date.now() - started,
        reason: `not healthy after ${seconds}s; last check: ${lastError}`,
      };
    }
    if (instance.port === undefined)
      return { ok: false, ms: 0, reason: `instance ${instance.idx} has no port` };
    const timeout = Math.min(check.timeoutMs, remaining);
    const result = await probe("127.0.0.1", instance.port, check.path, timeout);
    if (exited) continue;
    if (result.ok) {
      passes++;
      if (passes >= check.healthyThreshold) return { ok: true, ms: Date.now() - started };
    } else {
      passes = 0;
      // A probe cut short by the deadline says nothing about the app; keep what the last full one saw.
      if (timeout === check.timeoutMs || result.status !== undefined || lastError === NO_CHECK_YET) {
        lastError = result.error ?? "failed";
      }
    }
    await sleep(every);
  }
  return { ok: false, ms: Date.now() - started, reason: "cancelled" };
}

function exitReason(instance: Gated): string {
  const exit = instance.lastExit;
  const how = exit?.signal ? `was killed by ${exit.signal}` : `exited with code ${exit?.code ?? "unknown"}`;
  return `instance ${instance.idx} ${how} before it was healthy`;
}
