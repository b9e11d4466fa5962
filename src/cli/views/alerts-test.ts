import type { AlertsTestResponse } from "../../alerts/alerts-test-api.js";
import { SilentExit } from "../../errors.js";
import type { Output } from "../output.js";

/**
 * `skiff alerts test`: one line per channel. Throws SilentExit(1) when any channel failed or could
 * not be set up, so scripts can tell; exit 0 only when every channel took the message.
 */
export function printAlertsTest(out: Output, body: AlertsTestResponse): void {
  const ok = body.problems.length === 0 && body.results.length > 0 && body.results.every((r) => r.ok);
  if (out.json) out.result(body);
  else {
    if (body.results.length === 0 && body.problems.length === 0) {
      out.line(
        `${body.app} has no alert channels; add some under \`alerts:\` in skiff.yml (see docs/monitoring.md).`,
      );
    }
    for (const r of body.results) {
      out.step(
        r.ok,
        r.channel,
        r.durationMs,
        r.ok ? undefined : `${r.error ?? "failed"} (${tries(r.attempts)})`,
      );
    }
    for (const problem of body.problems) out.step(false, "not set up", undefined, problem);
  }
  if (!ok) throw new SilentExit(1);
}

function tries(n: number): string {
  return n === 1 ? "1 try" : `${n} tries`;
}
