import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LockedError } from "../deployer/lease.js";
import { PRODUCTION } from "../environments/names.js";
import { toErrorBody } from "../error-body.js";
import type { Release } from "../store/releases.js";
import { formField, safeNext } from "./auth.js";
import type { DashboardDeps, DashboardEnv } from "./deps.js";
import { knownApp } from "./page-routes.js";
import { render } from "./render.js";
import { ErrorPage } from "./views/error-page.js";

/** Who the ledger says asked for an operation started from the dashboard. */
export const REQUESTED_BY = "dashboard";

/**
 * The dashboard's state-changing requests (behind the session and its CSRF check): rollback and promote
 * through the same deployer functions the API calls, and acknowledging an incident. Each answers with a
 * redirect to the page that shows the result (post/redirect/get), or a page saying why it failed.
 */
export function actionRoutes(deps: DashboardDeps, now: () => number): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();

  app.post("/apps/:app/rollback", async (c) => {
    const name = knownApp(deps, c.req.param("app"));
    if (!name) return failed(c, "Rollback failed", `no app ${c.req.param("app")} on this agent`, 404);
    const env = (await formField(c, "env")) || PRODUCTION;
    const to = (await formField(c, "to")) || undefined;
    return operation(c, name, env, () =>
      deps.deployer.rollback(
        { app: name, env, ...(to ? { to } : {}), requestedBy: REQUESTED_BY, wait: false },
        () => undefined,
        // Not the request's signal: a person who closes the tab has still asked for the rollback.
        new AbortController().signal,
      ),
    );
  });

  app.post("/apps/:app/promote", async (c) => {
    const name = knownApp(deps, c.req.param("app"));
    if (!name) return failed(c, "Promote failed", `no app ${c.req.param("app")} on this agent`, 404);
    const from = (await formField(c, "from")) ?? "";
    const to = (await formField(c, "to")) ?? "";
    return operation(c, name, from, () =>
      deps.deployer.promote(
        { app: name, from, to, requestedBy: REQUESTED_BY, wait: false },
        () => undefined,
        new AbortController().signal,
      ),
    );
  });

  app.post("/incidents/:id/ack", async (c) => {
    const id = Number(c.req.param("id"));
    if (!Number.isInteger(id) || id <= 0) return failed(c, "Not acknowledged", "no such incident", 404);
    deps.store.incidents.acknowledge(id, REQUESTED_BY, now());
    return c.redirect(safeNext(await formField(c, "next")), 303);
  });

  return app;
}

/** Runs a deployer operation to its end; then shows the app with the new release, or why it failed. */
async function operation(
  c: Context<DashboardEnv>,
  app: string,
  env: string,
  run: () => Promise<Release>,
): Promise<Response> {
  try {
    const release = await run();
    const query = new URLSearchParams({
      ...(release.env === PRODUCTION ? {} : { env: release.env }),
      done: release.id,
    });
    return c.redirect(`/dashboard/apps/${app}?${query}`, 303);
  } catch (error) {
    const { message, hint, details } = toErrorBody(error).error;
    const back = `/dashboard/apps/${app}${env === PRODUCTION ? "" : `?env=${encodeURIComponent(env)}`}`;
    return failed(
      c,
      "The operation failed",
      message,
      error instanceof LockedError ? 409 : 422,
      hint,
      details,
      back,
    );
  }
}

/** A page saying why an action was not done, with a way back. */
export function failed(
  c: Context<DashboardEnv>,
  title: string,
  message: string,
  status: ContentfulStatusCode,
  hint?: string,
  details?: string[],
  back?: string,
): Response {
  return render(
    c,
    <ErrorPage
      title={title}
      message={message}
      hint={hint}
      details={details}
      back={back}
      csrf={c.get("session").csrf}
    />,
    status,
  );
}
