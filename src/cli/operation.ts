import type { ReleaseView, StreamEvent } from "../agent/api-types.js";
import type { AgentClient } from "./client.js";
import type { Output } from "./output.js";
import { printStreamEvent } from "./stream-output.js";

/** POSTs a JSON operation (rollback, promote), printing its steps; resolves to the release and the steps. */
export async function runOperation(
  out: Output,
  client: AgentClient,
  path: string,
  body: Record<string, unknown>,
): Promise<{ release: ReleaseView; events: StreamEvent[] }> {
  const events: StreamEvent[] = [];
  const result = await client.operation(
    path,
    { body: JSON.stringify(body), headers: { "content-type": "application/json" } },
    (event) => {
      events.push(event);
      printStreamEvent(out, event);
    },
  );
  return { release: result.release as ReleaseView, events };
}
