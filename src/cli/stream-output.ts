import type { StreamEvent } from "../agent/api-types.js";
import type { Output } from "./output.js";

/** Prints one step of a deploy or rollback as it happens: `✓ built  1.2s  npm ci`. */
export function printStreamEvent(out: Output, event: StreamEvent): void {
  if (event.type === "waiting") out.line(out.paint("yellow", `waiting: ${event.message}`));
  else if (event.type === "step") out.step(event.ok, event.step, event.durationMs, event.message);
}
