import type { Context } from "hono";
import { stream } from "hono/streaming";
import type { OperationEvent } from "../deployer/steps.js";
import type { Release } from "../store/releases.js";
import type { ResultEvent } from "./api-types.js";
import { httpError } from "./http-error.js";
import { releaseView } from "./views.js";

export type Operation = (emit: (event: OperationEvent) => void, signal: AbortSignal) => Promise<Release>;

/**
 * Runs a deploy, rollback or promote while streaming its steps as NDJSON; the last line is the result,
 * with the error as the API would answer it. A client that disconnects cancels the operation (before
 * the switch; after it, the operation completes). The operation starts before this returns.
 */
export function operationStream(c: Context, run: Operation): Response {
  c.header("content-type", "application/x-ndjson");
  c.header("cache-control", "no-store");
  return stream(c, async (s) => {
    const controller = new AbortController();
    s.onAbort(() => controller.abort());
    const write = (event: OperationEvent | ResultEvent) => {
      if (!s.aborted) void s.write(`${JSON.stringify(event)}\n`);
    };
    try {
      const release = await run(write, controller.signal);
      write({ type: "result", ok: true, release: releaseView(release) });
    } catch (error) {
      write({ type: "result", ok: false, release: null, error: httpError(error).body.error });
    }
  });
}
