import type { FC } from "hono/jsx";
import { PRODUCTION } from "../../environments/names.js";
import type { AppState } from "../data/app.js";
import { defineSection, type SectionContext } from "../sections.js";
import {
  Ago,
  appUrl,
  Badge,
  firstLine,
  Head,
  HealthBadge,
  In,
  plural,
  releaseName,
  shortSha,
  span,
} from "../views/parts.js";

/** What serves now: the live release, its instances, warm releases, and the one-click actions. */
export const nowSection = defineSection<AppState>({
  id: "now",
  title: "Now",
  load: (ctx) => ctx.state,
  View: ({ data, ctx }) => (
    <>
      <div class="now">
        <LiveRelease state={data} ctx={ctx} />
        <Actions state={data} />
      </div>
      <Activity state={data} now={ctx.now} />
      {data.instances.length > 0 && <Instances state={data} />}
      {data.warm.length > 0 && (
        <p class="subtle">
          Warm for an instant rollback:{" "}
          {data.warm.map((w) => (
            <span class="warm">
              {w.release} ({plural(w.instances, "instance")}, ends <In at={w.until} now={ctx.now} />)
            </span>
          ))}
        </p>
      )}
    </>
  ),
});

const LiveRelease: FC<{ state: AppState; ctx: SectionContext }> = ({ state, ctx }) => {
  const live = state.live;
  if (!live) return <p class="notice warn">No live release in {state.env}.</p>;
  const healthy = state.instances.filter((i) => i.healthy).length;
  return (
    <dl class="facts live" data-live-release={live.id}>
      <dt>Live release</dt>
      <dd>
        <strong>{releaseName(live)}</strong>
      </dd>
      <dt>Commit</dt>
      <dd>
        {live.commit ? (
          <>
            <span class="sha">{shortSha(live.commit.sha)}</span> {firstLine(live.commit.message)}{" "}
            <span class="subtle">by {live.commit.author}</span>
          </>
        ) : (
          "–"
        )}
      </dd>
      <dt>Went live</dt>
      <dd>
        <Ago at={live.liveAt} now={ctx.now} /> ({live.trigger}
        {live.deployedBy ? ` by ${live.deployedBy}` : ""})
      </dd>
      <dt>Health</dt>
      <dd>
        <HealthBadge health={state.health} healthy={healthy} total={state.instances.length} />
      </dd>
      {state.traffic && (
        <>
          <dt>Traffic</dt>
          <dd>
            {plural(state.traffic.requests, "request")}, {state.traffic.errors5xx} 5xx,{" "}
            {state.traffic.inflight} in flight
          </dd>
        </>
      )}
    </dl>
  );
};

const Actions: FC<{ state: AppState }> = ({ state }) => {
  if (!state.live) return null;
  const base = `/dashboard/apps/${state.app}`;
  const env = state.env === PRODUCTION ? "" : `&env=${encodeURIComponent(state.env)}`;
  return (
    <div class="actions">
      {state.defaultRollback && (
        <a class="button" href={`${base}/rollback?to=${state.defaultRollback}${env}`}>
          Roll back to {state.defaultRollback}…
        </a>
      )}
      {state.promoteTo.map((to) => (
        <a
          class="button"
          href={`${base}/promote?from=${encodeURIComponent(state.env)}&to=${encodeURIComponent(to)}`}
        >
          Promote to {to}…
        </a>
      ))}
      <a class="button" href={appUrl(state.app, state.env, "/logs")}>
        Live logs
      </a>
    </div>
  );
};

/** Deploy progress as it happens: filled in by dashboard.js from the app's event stream. */
export const Activity: FC<{ state: AppState; now: number }> = ({ state, now }) => (
  <div class="activity" data-live-events={`/dashboard/apps/${state.app}/events`} aria-live="polite">
    <h3>Activity</h3>
    {state.deploying ? (
      <p class="notice info running">
        Running: {state.deploying.operation} by {state.deploying.who}, started{" "}
        <Ago at={state.deploying.since} now={now} />
      </p>
    ) : (
      <p class="subtle idle">Nothing running. Deploy steps appear here live.</p>
    )}
    <ol class="steps live-steps" />
  </div>
);

const Instances: FC<{ state: AppState }> = ({ state }) => (
  <div class="table-wrap">
    <table>
      <caption class="visually-hidden">Instances of the live release</caption>
      <Head columns={["Process", "#", "PID", "Port", "State", "Health", "Restarts", "Uptime"]} />
      <tbody>
        {state.instances.map((i) => (
          <tr>
            <td>{i.process}</td>
            <td>{i.index}</td>
            <td>{i.pid ?? "–"}</td>
            <td>{i.port ?? "–"}</td>
            <td>{i.state}</td>
            <td>{i.healthy ? <Badge tone="ok">healthy</Badge> : <Badge tone="bad">unhealthy</Badge>}</td>
            <td>{i.restarts}</td>
            <td>{span(i.uptimeMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);
