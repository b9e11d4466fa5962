import type { FC } from "hono/jsx";
import type { ReleaseView } from "../../agent/api-types.js";
import type { AppState } from "../data/app.js";
import { Activity } from "../sections/now.js";
import { Layout } from "./layout.js";
import { appUrl, CsrfField, firstLine, releaseName, shortSha } from "./parts.js";

/** The confirmation between the click and the action: what will change, and one button to do it. */
export const ConfirmPage: FC<{
  state: AppState;
  action:
    | { kind: "rollback"; to: ReleaseView; warm: boolean }
    | { kind: "promote"; from: string; to: string };
  csrf: string;
  openIncidents: number;
  now: number;
}> = ({ state, action, csrf, openIncidents, now }) => {
  const base = `/dashboard/apps/${state.app}`;
  const title = action.kind === "rollback" ? `Roll back ${state.app}` : `Promote ${state.app}`;
  return (
    <Layout title={title} csrf={csrf} nav="apps" openIncidents={openIncidents}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/dashboard">Apps</a> / <a href={appUrl(state.app, state.env)}>{state.app}</a> /{" "}
        <span aria-current="page">confirm</span>
      </nav>
      <section class="card narrow confirm">
        <h1>{title}?</h1>
        {action.kind === "rollback" ? (
          <>
            <p>
              {state.env} now runs <strong>{state.live ? releaseName(state.live) : "nothing"}</strong>. This
              puts back <strong>{releaseName(action.to)}</strong>
              {action.to.commit && (
                <>
                  {" "}
                  (<span class="sha">{shortSha(action.to.commit.sha)}</span>{" "}
                  {firstLine(action.to.commit.message)})
                </>
              )}
              .
            </p>
            <p class="subtle">
              {action.warm
                ? "It is still running (warm): the switch is instant."
                : "It is not running: it starts from its files and gets traffic only once healthy."}{" "}
              In-flight requests finish first. A new release records the rollback.
            </p>
          </>
        ) : (
          <p>
            This runs {action.from}'s live release{" "}
            <strong>{state.live ? releaseName(state.live) : ""}</strong>, the same build, in{" "}
            <strong>{action.to}</strong> with {action.to}'s configuration. It gets traffic only once healthy.
          </p>
        )}
        <form method="post" action={`${base}/${action.kind}`} class="buttons">
          <CsrfField csrf={csrf} />
          {action.kind === "rollback" ? (
            <>
              <input type="hidden" name="env" value={state.env} />
              <input type="hidden" name="to" value={action.to.id} />
            </>
          ) : (
            <>
              <input type="hidden" name="from" value={action.from} />
              <input type="hidden" name="to" value={action.to} />
            </>
          )}
          <button type="submit" class="primary" autofocus data-busy-text="Working…">
            {action.kind === "rollback" ? `Roll back to ${action.to.id}` : `Promote to ${action.to}`}
          </button>
          <a class="button" href={appUrl(state.app, state.env)}>
            Cancel
          </a>
        </form>
      </section>
      <Activity state={state} now={now} />
    </Layout>
  );
};
