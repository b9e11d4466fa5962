import { Hono } from "hono";
import { stream } from "hono/streaming";
import { z } from "zod";
import { EXIT } from "../../errors.js";
import { tailLines } from "../../runtime/log-file.js";
import type { DataDir } from "../../store/data-dir.js";
import type { Release } from "../../store/releases.js";
import type { Store } from "../../store/store.js";
import { HttpError } from "../http-error.js";
import { followLog } from "../log-follow.js";
import { appParam, queryOf, querySwitch, wholeNumber } from "../request.js";

/** Lines a request may ask for at once: more is cut to this. */
const MAX_LINES = 10_000;

const logsQuery = z.object({
  release: z.string().optional(),
  process: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,30}$/, { error: "expected a process type like web or worker" })
    .optional(),
  lines: wholeNumber(0, 100).transform((n) => Math.min(n, MAX_LINES)),
  follow: querySwitch,
});

/** A release's log (build and app output), its last lines, then new ones as they come with `follow=1`. */
export function logRoutes(options: { store: Store; dataDir: DataDir }): Hono {
  const routes = new Hono();

  routes.get("/apps/:app/logs", (c) => {
    const app = appParam(c);
    const { release, process, lines, follow } = queryOf(c, logsQuery);
    const { releases } = options.store;
    const found = logRelease(
      app,
      release,
      (id) => releases.get(app, id),
      () => releases.live(app) ?? releases.list(app, 1)[0],
    );
    const artifact = found.artifact;
    if (process !== undefined && !found.config.processes.some((p) => p.name === process)) {
      const types = found.config.processes.map((p) => p.name).join(", ") || "none";
      throw HttpError.notFound(
        `${found.id} of ${app} has no process type ${process} (it has: ${types})`,
        EXIT.failed,
      );
    }
    const file = options.dataDir.logFile(app, artifact, process);
    c.header("content-type", "text/plain; charset=utf-8");
    c.header("x-skiff-release", artifact);
    return stream(c, async (s) => {
      const controller = new AbortController();
      s.onAbort(() => controller.abort());
      const tail = tailLines(file, lines);
      if (tail.length > 0) await s.write(`${tail.join("\n")}\n`);
      if (follow) await followLog(file, async (chunk) => void (await s.write(chunk)), controller.signal);
    });
  });

  return routes;
}

/**
 * Pure. Whose log a request reads: the release it names, else the live one, else the newest (a first
 * deploy that failed). Its `artifact` names the log, as a rollback runs (and logs into) an earlier
 * release's files.
 */
export function logRelease(
  app: string,
  asked: string | undefined,
  find: (id: string) => Release | undefined,
  current: () => Release | undefined,
): Release {
  if (asked) {
    const found = find(asked);
    if (!found) throw HttpError.notFound(`${app} has no release ${asked}`, EXIT.failed);
    return found;
  }
  const release = current();
  if (!release) throw HttpError.notFound(`no releases of ${app} yet`, EXIT.failed);
  return release;
}
