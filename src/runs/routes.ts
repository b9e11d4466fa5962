import { Hono } from "hono";
import { stream } from "hono/streaming";
import { z } from "zod";
import type { RunEvent, RunView } from "../agent/api-types.js";
import { appParam, bodyOf, queryOf, wholeNumber } from "../agent/request.js";
import { PRODUCTION } from "../environments/names.js";
import type { RunRecord } from "../store/runs.js";
import type { Store } from "../store/store.js";
import type { OneOffRuns } from "./one-off-runs.js";

const runBody = z.object({
  argv: z
    .array(z.string({ error: "expected strings" }), {
      error: "expected the command as a list: [program, args…]",
    })
    .min(1, { error: "expected a command to run, like [node, -v]" })
    .refine((argv) => (argv[0] ?? "") !== "", { error: "the program's name is empty" }),
  env: z
    .string()
    .regex(/^[a-z0-9:-]{1,80}$/, { error: "expected an environment name" })
    .default(PRODUCTION),
  requestedBy: z.string().max(200).default("unknown"),
});

const listQuery = z.object({ limit: wholeNumber(1, 50).transform((n) => Math.min(n, 1000)) });

/**
 * `POST /apps/:app/runs` (`skiff run`): the command's lines as NDJSON while it runs, `exit` last; a
 * client that disconnects interrupts it. `GET /apps/:app/runs` (`skiff runs`): the ledger, newest first.
 */
export function runRoutes(options: { runs: OneOffRuns; store: Store }): Hono {
  const routes = new Hono();

  routes.post("/apps/:app/runs", async (c) => {
    const app = appParam(c);
    const { argv, env, requestedBy } = await bodyOf(c, runBody);
    // Errors before the command starts (no live release) are answered as errors, not as a stream.
    let began!: () => void;
    const started = new Promise<void>((resolve) => {
      began = resolve;
    });
    const lines: string[] = [];
    let write: ((line: string) => void) | undefined;
    const controller = new AbortController();
    const running = options.runs.run(
      { app, env, argv, requestedBy },
      (event: RunEvent) => {
        const line = `${JSON.stringify(event)}\n`;
        if (write) write(line);
        else lines.push(line);
        if (event.type === "started") began();
      },
      controller.signal,
    );
    await Promise.race([started, running]);
    c.header("content-type", "application/x-ndjson");
    c.header("cache-control", "no-store");
    return stream(c, async (s) => {
      s.onAbort(() => controller.abort());
      write = (line) => {
        if (!s.aborted) void s.write(line);
      };
      for (const line of lines.splice(0)) write(line);
      await running;
    });
  });

  routes.get("/apps/:app/runs", (c) => {
    const app = appParam(c);
    const { limit } = queryOf(c, listQuery);
    return c.json({ app, runs: options.store.runs.list(app, limit).map(runView) });
  });

  return routes;
}

export function runView(run: RunRecord): RunView {
  return {
    id: run.id,
    app: run.app,
    env: run.env,
    release: run.release,
    argv: run.argv,
    requestedBy: run.requestedBy,
    runAs: run.runAs,
    pid: run.pid,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
    durationMs: run.finishedAt === null ? null : run.finishedAt - run.startedAt,
    exitCode: run.exitCode,
    signal: run.signal,
    ending: run.ending,
  };
}
