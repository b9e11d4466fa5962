import type { FC } from "hono/jsx";
import { PRODUCTION } from "../../environments/names.js";
import type { DatabaseBackups } from "../data/backups.js";
import { Layout } from "./layout.js";
import { Ago, appUrl, CsrfField } from "./parts.js";

/** The confirmation of "Back up now": which database, where the copy goes, and one button. */
export const BackupConfirmPage: FC<{
  app: string;
  env: string;
  db: DatabaseBackups;
  csrf: string;
  openIncidents: number;
  now: number;
}> = ({ app, env, db, csrf, openIncidents, now }) => {
  const title = `Back up ${db.name} of ${app}`;
  return (
    <Layout title={title} csrf={csrf} nav="apps" openIncidents={openIncidents}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/dashboard">Apps</a> / <a href={appUrl(app, env)}>{app}</a> /{" "}
        <span aria-current="page">confirm</span>
      </nav>
      <section class="card narrow confirm">
        <h1>{title}?</h1>
        <p>
          This takes a backup of the {db.kind === "sqlite" ? "SQLite" : "PostgreSQL"} database{" "}
          <strong>{db.name}</strong>
          {env === PRODUCTION ? "" : ` in ${env}`} now, restores it into scratch space to verify it, and
          stores it ({db.destinations.join(", ")}). The app keeps serving meanwhile.
        </p>
        <p class="subtle">
          The last good backup: {db.lastGoodAt === null ? "none yet" : <Ago at={db.lastGoodAt} now={now} />}.
          Older backups go as <code>keep:</code> says ({db.keep}).
        </p>
        <form method="post" action={`/dashboard/apps/${app}/backup`} class="buttons">
          <CsrfField csrf={csrf} />
          <input type="hidden" name="env" value={env} />
          <input type="hidden" name="db" value={db.name} />
          <button type="submit" class="primary" autofocus data-busy-text="Backing up…">
            Back up {db.name} now
          </button>
          <a class="button" href={`${appUrl(app, env)}#backups`}>
            Cancel
          </a>
        </form>
      </section>
    </Layout>
  );
};
