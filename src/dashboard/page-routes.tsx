import type { Context } from "hono";
import { Hono } from "hono";
import { releaseView } from "../agent/views.js";
import { chooseRollbackTarget } from "../deployer/rollback-target.js";
import { PRODUCTION } from "../environments/names.js";
import { tailLines } from "../runtime/log-file.js";
import { APP_SECTIONS } from "./app-sections.js";
import { appState, rollbackKind, stepsByRelease } from "./data/app.js";
import { delivery, windowOf } from "./data/delivery.js";
import { overview } from "./data/overview.js";
import type { DashboardDeps, DashboardEnv } from "./deps.js";
import { appName, render } from "./render.js";
import type { SectionContext } from "./sections.js";
import { AppPage } from "./views/app-page.js";
import { ConfirmPage } from "./views/confirm-page.js";
import { ErrorPage } from "./views/error-page.js";
import { IncidentsPage } from "./views/incidents-page.js";
import { LogsPage } from "./views/logs-page.js";
import { MetricsPage } from "./views/metrics-page.js";
import { OverviewPage } from "./views/overview.js";
import { ReleasePage } from "./views/release-page.js";

const LOG_LINES = 200;

/** The dashboard's pages (GET, behind the session). Each reads the ledger and the agent's parts, then renders. */
export function pageRoutes(deps: DashboardDeps, now: () => number): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>({ strict: false });
  const { store } = deps;
  const common = (c: Context<DashboardEnv>) => ({
    csrf: c.get("session").csrf,
    openIncidents: store.incidents.openCount(),
  });

  app.get("/", (c) => {
    const at = now();
    return render(c, <OverviewPage deployments={overview(deps, at)} now={at} {...common(c)} />);
  });

  app.get("/apps/:app", (c) => {
    const name = knownApp(deps, c.req.param("app"));
    if (!name) return notFound(c, `no app ${c.req.param("app")} on this agent`);
    const env = c.req.query("env") ?? PRODUCTION;
    const at = now();
    const ctx: SectionContext = {
      deps,
      app: name,
      env,
      now: at,
      csrf: c.get("session").csrf,
      url: new URL(c.req.url),
      state: appState(deps, name, env, at),
    };
    const done = c.req.query("done");
    const made = done ? store.releases.get(name, done) : undefined;
    return render(c, <AppPage ctx={ctx} sections={APP_SECTIONS} done={made} {...common(c)} />);
  });

  app.get("/apps/:app/releases/:id", (c) => {
    const name = knownApp(deps, c.req.param("app"));
    const release = name ? store.releases.get(name, c.req.param("id")) : undefined;
    if (!name || !release) return notFound(c, `no release ${c.req.param("id")} of ${c.req.param("app")}`);
    const events = store.events.list(name, { release: release.id, limit: 500 });
    return render(
      c,
      <ReleasePage
        release={releaseView(release)}
        steps={stepsByRelease(events).get(release.id) ?? []}
        events={events}
        log={tailLines(deps.dataDir.logFile(name, release.artifact), LOG_LINES)}
        rollback={rollbackKind(deps, release, store.releases.live(name, release.env))}
        now={now()}
        {...common(c)}
      />,
    );
  });

  app.get("/apps/:app/logs", (c) => {
    const name = knownApp(deps, c.req.param("app"));
    if (!name) return notFound(c, `no app ${c.req.param("app")} on this agent`);
    const asked = c.req.query("release");
    const release = asked
      ? store.releases.get(name, asked)
      : (store.releases.live(name) ?? store.releases.page(name, { limit: 1 })[0]);
    if (!release)
      return notFound(c, asked ? `${name} has no release ${asked}` : `no releases of ${name} yet`);
    return render(
      c,
      <LogsPage
        app={name}
        release={releaseView(release)}
        releases={store.releases.page(name, { limit: 30 }).map(releaseView)}
        lines={tailLines(deps.dataDir.logFile(name, release.artifact), LOG_LINES)}
        {...common(c)}
      />,
    );
  });

  app.get("/apps/:app/rollback", (c) => {
    const name = knownApp(deps, c.req.param("app"));
    if (!name) return notFound(c, `no app ${c.req.param("app")} on this agent`);
    const env = c.req.query("env") ?? PRODUCTION;
    const live = store.releases.live(name, env);
    const history = store.releases.page(name, { env, limit: 1000 });
    const choice = chooseRollbackTarget(history, live, c.req.query("to"));
    const back = `/dashboard/apps/${name}`;
    if (!choice.ok) return refused(c, `Cannot roll back ${name}`, choice.reason, back);
    const kind = rollbackKind(deps, choice.release, live);
    if (!kind)
      return refused(
        c,
        `Cannot roll back ${name}`,
        `the files of ${choice.release.artifact} were pruned`,
        back,
      );
    const at = now();
    return render(
      c,
      <ConfirmPage
        state={appState(deps, name, env, at)}
        action={{ kind: "rollback", to: releaseView(choice.release), warm: kind === "warm" }}
        now={at}
        {...common(c)}
      />,
    );
  });

  app.get("/apps/:app/promote", (c) => {
    const name = knownApp(deps, c.req.param("app"));
    if (!name) return notFound(c, `no app ${c.req.param("app")} on this agent`);
    const from = c.req.query("from") ?? "";
    const to = c.req.query("to") ?? "";
    const at = now();
    const state = appState(deps, name, from, at);
    if (!state.live || !state.promoteTo.includes(to)) {
      const reason = !state.live
        ? `${name} has no live release in ${from}`
        : `${to} is not an environment of ${name}`;
      return refused(c, `Cannot promote ${name}`, reason, `/dashboard/apps/${name}`);
    }
    return render(
      c,
      <ConfirmPage state={state} action={{ kind: "promote", from, to }} now={at} {...common(c)} />,
    );
  });

  app.get("/metrics", (c) => {
    const name = c.req.query("app") ? knownApp(deps, c.req.query("app")) : undefined;
    if (c.req.query("app") && !name) return notFound(c, `no app ${c.req.query("app")} on this agent`);
    const days = windowOf(c.req.query("days"));
    const { report, series } = delivery(deps, name, days, now());
    return render(
      c,
      <MetricsPage
        app={name}
        apps={store.releases.apps()}
        days={days}
        report={report}
        series={series}
        {...common(c)}
      />,
    );
  });

  app.get("/incidents", (c) => {
    const name = c.req.query("app") ? knownApp(deps, c.req.query("app")) : undefined;
    const open = c.req.query("open") === "1";
    const url = new URL(c.req.url);
    return render(
      c,
      <IncidentsPage
        incidents={store.incidents.list({ ...(name ? { app: name } : {}), open, limit: 200 })}
        app={name}
        open={open}
        now={now()}
        back={`${url.pathname}${url.search}`}
        {...common(c)}
      />,
    );
  });

  return app;
}

/** An app this agent has deployed (or registered), by a name that passes the app-name rule. */
export function knownApp(deps: DashboardDeps, value: string | undefined): string | undefined {
  const name = appName(value);
  if (!name) return undefined;
  return deps.store.releases.count(name) > 0 || deps.store.apps.config(name) ? name : undefined;
}

function notFound(c: Context<DashboardEnv>, message: string): Response {
  return render(c, <ErrorPage title="Not found" message={message} csrf={c.get("session").csrf} />, 404);
}

function refused(c: Context<DashboardEnv>, title: string, message: string, back: string): Response {
  return render(
    c,
    <ErrorPage title={title} message={message} back={back} csrf={c.get("session").csrf} />,
    422,
  );
}
