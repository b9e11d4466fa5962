import { Hono } from "hono";
import { actionRoutes } from "./action-routes.js";
import { assetRoutes } from "./assets.js";
import { DashboardAuth, requireCsrf, requireSession, securityHeaders, serverTiming } from "./auth.js";
import { backupRoutes } from "./backup-routes.js";
import type { DashboardDeps, DashboardEnv } from "./deps.js";
import { liveRoutes } from "./live-routes.js";
import { loginRoutes } from "./login-routes.js";
import { pageRoutes } from "./page-routes.js";
import { render } from "./render.js";
import { DEFAULT_SETTINGS } from "./settings.js";
import { statusRoutes } from "./status-routes.js";
import { ErrorPage } from "./views/error-page.js";

/** What `skiff dashboard` gets from POST /v1/dashboard/links. */
export interface LoginLinkResponse {
  /** Path and query of the one-time link, to put after the agent's address as the CLI reaches it. */
  path: string;
  expiresAt: string;
}

/**
 * Mounts the dashboard on the agent's API listener: `/dashboard/…` (pages, behind a session),
 * `/status/…` (public status pages of apps that opt in) and `POST /v1/dashboard/links` (a one-time
 * login link, for the CLI; behind the API's bearer token, so mount after the API's /v1 guard).
 */
export function mountDashboard(api: Hono, deps: DashboardDeps): void {
  const settings = { ...DEFAULT_SETTINGS, ...deps.dashboard };
  const auth = new DashboardAuth(settings);

  api.post("/v1/dashboard/links", (c) => {
    const { link, expiresAt } = auth.links.issue();
    const body: LoginLinkResponse = {
      path: `/dashboard/login?link=${link}`,
      expiresAt: new Date(expiresAt).toISOString(),
    };
    return c.json(body);
  });
  api.route("/dashboard", dashboardRoutes(deps, auth));
  api.route("/status", statusRoutes(deps, settings.now));
}

/**
 * The dashboard's routes in the order they are checked: security headers on everything; the static
 * files and the login form without a session; then the session, the CSRF check on anything but GET,
 * and the pages, actions and streams. Anything else is a 404 page, but only with a session.
 */
export function dashboardRoutes(deps: DashboardDeps, auth: DashboardAuth): Hono<DashboardEnv> {
  const now = auth.settings.now;
  const app = new Hono<DashboardEnv>({ strict: false });
  app.use("*", serverTiming, securityHeaders);
  app.route("/assets", assetRoutes());
  app.route("/", loginRoutes(auth, deps.token));
  app.use("*", requireSession(auth), requireCsrf());
  app.route("/", pageRoutes(deps, now));
  app.route("/", actionRoutes(deps, now));
  app.route("/", backupRoutes(deps, now));
  app.route("/", liveRoutes(deps));
  app.all("*", (c) =>
    render(
      c,
      <ErrorPage title="Not found" message={`no page ${c.req.path}`} csrf={c.get("session").csrf} />,
      404,
    ),
  );
  app.onError((error, c) => {
    deps.logger?.error({ err: String(error), path: c.req.path }, "dashboard error");
    return c.text("the dashboard hit an error; the agent's log has it", 500);
  });
  return app;
}
