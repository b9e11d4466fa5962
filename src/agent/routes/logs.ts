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
  lines: wholeNumber(0, 100).transform((n) => Math.min(n, MAX_LINES)),
  follow: querySwitch,
});

/** A release's log (build and app output), its last lines, then new ones as they come with `follow=1`. */
export function logRoutes(options: { store: Store; dataDir: DataDir }): Hono {
  const routes = new Hono();

  routes.get("/apps/:app/logs", (c) => {
    const app = appParam(c);
    const { release, lines, follow } = queryOf(c, logsQuery);
    const { releases } = options.store;
    const artifact = logArtifact(
      app,
      release,
      (id) => releases.get(app, id),
      () => releases.live(app) ?? releases.list(app, 1)[0],
    );
    const file = options.dataDir.logFile(app, artifact);
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
 * deploy that failed). The artifact, as a rollback runs (and logs into) an earlier release's files.
 */
export function logArtifact(
  app: string,
  asked: string | undefined,
  find: (id: string) => Release | undefined,
  current: () => Release | undefined,
): string {
  if (asked) {
    const found = find(asked);
    if (!found) throw HttpError.notFound(`${app} has no release ${asked}`, EXIT.failed);
    return found.artifact;
  }
  const release = current();
  if (!release) throw HttpError.notFound(`no releases of ${app} yet`, EXIT.failed);
  return release.artifact;
}
