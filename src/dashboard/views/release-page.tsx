import type { FC } from "hono/jsx";
import type { ReleaseView } from "../../agent/api-types.js";
import { PRODUCTION } from "../../environments/names.js";
import type { EventRecord } from "../../store/events.js";
import type { StepView } from "../data/app.js";
import { Layout } from "./layout.js";
import { Ago, appUrl, releaseName, StatusBadge, shortSha, span } from "./parts.js";
import { StepList, StepStrip } from "./steps.js";

/** One release: what it is, its steps and their times, everything recorded about it, its log's tail. */
export const ReleasePage: FC<{
  release: ReleaseView;
  steps: StepView[];
  events: EventRecord[];
  log: string[];
  rollback: "warm" | "cold" | null;
  csrf: string;
  openIncidents: number;
  now: number;
}> = ({ release: r, steps, events, log, rollback, csrf, openIncidents, now }) => (
  <Layout title={`${r.app} ${r.id}`} csrf={csrf} nav="apps" openIncidents={openIncidents}>
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href="/dashboard">Apps</a> / <a href={appUrl(r.app, r.env)}>{r.app}</a> /{" "}
      <span aria-current="page">{r.id}</span>
    </nav>
    <h1>
      {r.app} {releaseName(r)} <StatusBadge status={r.status} />
    </h1>
    {r.reason && <p class={`notice ${r.status === "failed" ? "bad" : "warn"}`}>{r.reason}</p>}
    <section aria-labelledby="about-title">
      <h2 id="about-title" class="visually-hidden">
        About this release
      </h2>
      <dl class="facts">
        <dt>Environment</dt>
        <dd>{r.env}</dd>
        <dt>Commit</dt>
        <dd>
          {r.commit ? (
            <>
              <span class="sha">{shortSha(r.commit.sha)}</span> {r.commit.message.split("\n", 1)[0]}{" "}
              <span class="subtle">by {r.commit.author}</span>
            </>
          ) : (
            "–"
          )}
        </dd>
        <dt>Trigger</dt>
        <dd>
          {r.trigger}
          {r.deployedBy ? ` by ${r.deployedBy}` : ""}
          {r.artifact !== r.id ? `, runs the files of ${r.artifact}` : ""}
        </dd>
        <dt>Started</dt>
        <dd>
          <Ago at={r.startedAt} now={now} />
        </dd>
        <dt>Duration</dt>
        <dd>{span(r.durationMs)}</dd>
        <dt>Lead time</dt>
        <dd>{span(r.leadTimeMs)}</dd>
      </dl>
      {rollback && (
        <p>
          <a
            class="button"
            href={`/dashboard/apps/${r.app}/rollback?to=${r.id}${r.env === PRODUCTION ? "" : `&env=${encodeURIComponent(r.env)}`}`}
          >
            Roll back to {r.id}…
          </a>
        </p>
      )}
    </section>
    <section aria-labelledby="steps-title">
      <h2 id="steps-title">Steps</h2>
      {steps.length === 0 ? (
        <p class="empty">No steps recorded.</p>
      ) : (
        <>
          <StepStrip steps={steps} />
          <StepList steps={steps} />
        </>
      )}
    </section>
    {events.some((e) => e.kind !== "step") && (
      <section aria-labelledby="events-title">
        <h2 id="events-title">Other events</h2>
        <ul class="events">
          {events
            .filter((e) => e.kind !== "step")
            .map((e) => (
              <li class={e.ok ? "" : "bad"}>
                <Ago at={e.at} now={now} /> {e.kind} {e.name}
                {e.message ? `: ${e.message}` : ""}
              </li>
            ))}
        </ul>
      </section>
    )}
    <section aria-labelledby="log-title">
      <h2 id="log-title">Log</h2>
      <p>
        The last {log.length} lines of {r.artifact}'s build and app output.{" "}
        <a href={`/dashboard/apps/${r.app}/logs?release=${r.id}`}>Follow it live →</a>
      </p>
      <pre class="log">{log.join("\n") || "(empty)"}</pre>
    </section>
  </Layout>
);
