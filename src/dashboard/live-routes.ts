import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { followLog } from "../agent/log-follow.js";
import type { EventRecord } from "../store/events.js";
import type { DashboardDeps, DashboardEnv } from "./deps.js";
import { knownApp } from "./page-routes.js";

/** A comment line now and then keeps proxies and browsers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** What the activity panel gets per deploy step (dashboard.js renders it). */
export interface LiveStep {
  release: string | null;
  env: string | null;
  name: string;
  ok: boolean;
  durationMs: number | null;
  message: string | null;
  at: string;
}

/**
 * Server-sent events: an app's deploy steps as the ledger records them (whoever started the deploy:
 * the CLI, a webhook, the dashboard), and a release's log as it is written.
 */
export function liveRoutes(deps: DashboardDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const { store } = deps;

  app.get("/apps/:app/events", (c) => {
    const name = knownApp(deps, c.req.param("app"));
    if (!name) return c.text("no such app", 404);
    return streamSSE(c, async (stream) => {
      const queue: EventRecord[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = store.events.subscribe((event) => {
        if (event.app !== name || event.kind !== "step") return;
        queue.push(event);
        wake?.();
      });
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      try {
        await stream.writeSSE({ event: "ready", data: "{}" });
        while (!stream.aborted) {
          for (const event of queue.splice(0)) {
            const release = event.release ? store.releases.get(name, event.release) : undefined;
            const step: LiveStep = {
              release: event.release,
              env: release?.env ?? null,
              name: event.name,
              ok: event.ok,
              durationMs: event.durationMs,
              message: event.message,
              at: new Date(event.at).toISOString(),
            };
            await stream.writeSSE({ event: "step", data: JSON.stringify(step), id: String(event.id) });
          }
          const woken = new Promise<void>((resolve) => {
            wake = resolve;
          });
          const timer = setTimeout(() => wake?.(), HEARTBEAT_MS);
          await Promise.race([woken, closed]);
          clearTimeout(timer);
          if (queue.length === 0 && !stream.aborted) await stream.write(": ping\n\n");
        }
      } finally {
        unsubscribe();
      }
    });
  });

  app.get("/apps/:app/logs/stream", (c) => {
    const name = knownApp(deps, c.req.param("app"));
    const asked = c.req.query("release");
    const release = name
      ? asked
        ? store.releases.get(name, asked)
        : (store.releases.live(name) ?? store.releases.page(name, { limit: 1 })[0])
      : undefined;
    if (!name || !release) return c.text("no such app or release", 404);
    const file = deps.dataDir.logFile(name, release.artifact);
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      await stream.writeSSE({ event: "ready", data: "{}" });
      await followLog(
        file,
        (chunk) => stream.writeSSE({ event: "log", data: JSON.stringify(chunk) }),
        controller.signal,
      );
    });
  });

  return app;
}
