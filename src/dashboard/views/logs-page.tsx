import type { FC } from "hono/jsx";
import type { ReleaseView } from "../../agent/api-types.js";
import { PRODUCTION } from "../../environments/names.js";
import { Layout } from "./layout.js";
import { appUrl, releaseName } from "./parts.js";

/** A release's log: its tail rendered here, then followed live over server-sent events by dashboard.js. */
export const LogsPage: FC<{
  app: string;
  release: ReleaseView;
  releases: ReleaseView[];
  lines: string[];
  csrf: string;
  openIncidents: number;
}> = ({ app, release, releases, lines, csrf, openIncidents }) => (
  <Layout title={`${app} logs`} csrf={csrf} nav="apps" openIncidents={openIncidents}>
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href="/dashboard">Apps</a> / <a href={appUrl(app, release.env)}>{app}</a> /{" "}
      <span aria-current="page">logs</span>
    </nav>
    <h1>Logs of {app}</h1>
    <form method="get" class="inline">
      <label for="release">Release</label>
      <select id="release" name="release">
        {releases.map((r) => (
          <option value={r.id} selected={r.id === release.id}>
            {releaseName(r)} ({r.status}
            {r.env === PRODUCTION ? "" : `, ${r.env}`})
          </option>
        ))}
      </select>
      <button type="submit">Show</button>
    </form>
    <p class="subtle live-state" aria-live="polite">
      Showing the last {lines.length} lines of {release.artifact}.
    </p>
    <pre
      class="log tall"
      role="log"
      tabindex={0}
      aria-label={`log of ${release.artifact}`}
      data-live-log={`/dashboard/apps/${app}/logs/stream?release=${release.id}`}
    >
      {lines.join("\n")}
      {lines.length > 0 ? "\n" : ""}
    </pre>
  </Layout>
);
