import { Hono } from "hono";
import { PRODUCTION } from "../environments/names.js";
import { securityHeaders } from "./auth.js";
import { publicStatus } from "./data/status-page.js";
import type { DashboardDeps } from "./deps.js";
import { appName, render } from "./render.js";
import { StatusPage } from "./views/status-page.js";

/**
 * GET /status/:app, without login, for apps whose skiff.yml says `status_page: true`. Any other app,
 * known or not, gets the same 404, so the page does not tell which apps exist.
 */
export function statusRoutes(deps: DashboardDeps, now: () => number): Hono {
  const app = new Hono({ strict: false });
  app.use("*", securityHeaders);
  app.get("/:app", (c) => {
    const name = appName(c.req.param("app"));
    const config = name
      ? (deps.store.releases.live(name, PRODUCTION)?.config ?? deps.store.apps.config(name))
      : undefined;
    if (!name || !config?.statusPage) return c.text("no status page here", 404);
    const at = now();
    const status = publicStatus(
      name,
      deps.monitoring.monitors(name),
      deps.store.incidents.list({ app: name, limit: 50 }),
      at,
    );
    c.header("cache-control", "public, max-age=30");
    return render(c, <StatusPage status={status} now={at} />);
  });
  return app;
}
