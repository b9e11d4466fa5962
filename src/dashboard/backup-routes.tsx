import { Hono } from "hono";
import { PRODUCTION } from "../environments/names.js";
import { toErrorBody } from "../error-body.js";
import { failed, REQUESTED_BY } from "./action-routes.js";
import { formField } from "./auth.js";
import { loadBackups } from "./data/backups.js";
import type { DashboardDeps, DashboardEnv } from "./deps.js";
import { knownApp } from "./page-routes.js";
import { render } from "./render.js";
import { BackupConfirmPage } from "./views/backup-confirm-page.js";
import { appUrl } from "./views/parts.js";

/**
 * "Back up now": a confirmation page (GET) and the backup itself (POST, behind the session and its CSRF
 * check), through the same BackupService call as POST /v1/apps/:app/backups. The request waits for the
 * backup to be taken and verified, then shows the app's Backups panel with the new row. Restores are
 * not here: they replace a database, and stay on the CLI.
 */
export function backupRoutes(deps: DashboardDeps, now: () => number): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();

  app.get("/apps/:app/backup", (c) => {
    const name = knownApp(deps, c.req.param("app"));
    const env = c.req.query("env") ?? PRODUCTION;
    const at = now();
    const db = name && loadBackups(deps, name, env, at)?.find((d) => d.name === c.req.query("db"));
    if (!name || !db)
      return failed(
        c,
        "Cannot back up",
        `${c.req.param("app")} has no database ${c.req.query("db") ?? ""} in backups: of ${env}`,
        404,
      );
    return render(
      c,
      <BackupConfirmPage
        app={name}
        env={env}
        db={db}
        now={at}
        csrf={c.get("session").csrf}
        openIncidents={deps.store.incidents.openCount()}
      />,
    );
  });

  app.post("/apps/:app/backup", async (c) => {
    const name = knownApp(deps, c.req.param("app"));
    if (!name || !deps.backups)
      return failed(c, "Backup failed", `no app ${c.req.param("app")} with backups on this agent`, 404);
    const env = (await formField(c, "env")) || PRODUCTION;
    const db = (await formField(c, "db")) || undefined;
    const back = `${appUrl(name, env)}#backups`;
    try {
      const records = await deps.backups.backUp({
        app: name,
        env,
        ...(db ? { name: db } : {}),
        trigger: "manual",
      });
      deps.logger?.info(
        { app: name, env, backups: records.map((r) => r.id), by: REQUESTED_BY },
        "backup from the dashboard",
      );
      const query = new URLSearchParams(records.map((r): [string, string] => ["backup", r.id]));
      if (env !== PRODUCTION) query.set("env", env);
      return c.redirect(`/dashboard/apps/${name}?${query}#backups`, 303);
    } catch (error) {
      const { message, hint } = toErrorBody(error).error;
      return failed(c, "Backup failed", message, 422, hint, undefined, back);
    }
  });

  return app;
}
