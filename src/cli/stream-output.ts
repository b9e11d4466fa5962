import type { StreamEvent } from "../agent/api-types.js";
import type { Output } from "./output.js";

/** Prints one step of a deploy or rollback as it happens: `✓ built  1.2s  npm ci`. */
export function printStreamEvent(out: Output, event: StreamEvent): void {
  if (event.type === "waiting") out.line(out.paint("yellow", `waiting: ${event.message}`));
  else if (event.type === "step") {
    const { name, detail } = stepLabel(event.step, event.message);
    out.step(event.ok, name, event.durationMs, detail);
  }
}

/**
 * How a step is named for humans: an install skipped by the dependency cache (its message begins
 * `cached: `, see deploy-steps.ts) shows as `installed (cached)`, so a routine deploy reads at a glance.
 */
export function stepLabel(step: string, message?: string): { name: string; detail?: string } {
  const cached = "cached: ";
  if (step === "installed" && message?.startsWith(cached))
    return { name: "installed (cached)", detail: message.slice(cached.length) };
  return message === undefined ? { name: step } : { name: step, detail: message };
}
