import type { FC } from "hono/jsx";
import { type BackupView, backupView } from "../../backups/api-types.js";
import { PRODUCTION } from "../../environments/names.js";
import { formatBytes } from "../../format/bytes.js";
import { type DatabaseBackups, loadBackups } from "../data/backups.js";
import { defineSection, type SectionContext } from "../sections.js";
import { Ago, Badge, Head, In, span } from "../views/parts.js";

interface BackupsPanel {
  databases: DatabaseBackups[];
  /** The backups a "Back up now" just took (`?backup=b7` after the redirect). */
  taken: BackupView[];
}

/**
 * Each configured database: its schedule and destinations, its last backups, a failure said loudly
 * (a backup failing quietly for weeks is the failure that matters), the next run, "Back up now", and
 * the `skiff restore` command to copy (restoring replaces the database: it stays on the CLI).
 */
export const backupsSection = defineSection<BackupsPanel>({
  id: "backups",
  title: "Backups",
  load: (ctx) => {
    const databases = loadBackups(ctx.deps, ctx.app, ctx.env, ctx.now);
    if (!databases) return undefined;
    const taken = ctx.url.searchParams
      .getAll("backup")
      .map((id) => ctx.deps.store.backups.get(ctx.app, id))
      .filter((r) => r !== undefined && r.env === ctx.env)
      .map((r) => backupView(r!));
    return { databases, taken };
  },
  View: ({ data, ctx }) => (
    <>
      {data.taken.map((b) => (
        <TakenNotice backup={b} />
      ))}
      {data.databases.map((db) => (
        <Database db={db} ctx={ctx} />
      ))}
    </>
  ),
});

const TakenNotice: FC<{ backup: BackupView }> = ({ backup: b }) =>
  b.status === "good" ? (
    <p class="notice ok" role="status">
      {b.id} of {b.name} is taken and verified ({b.bytes === null ? "–" : formatBytes(b.bytes)},{" "}
      {span(b.durationMs)}).
    </p>
  ) : (
    <p class="notice bad" role="alert">
      {b.id} of {b.name} {b.status === "bad" ? "failed verification" : "failed"}: {b.error ?? b.verifyNote}
    </p>
  );

const Database: FC<{ db: DatabaseBackups; ctx: SectionContext }> = ({ db, ctx }) => (
  <div class="database" data-database={db.name}>
    <h3>
      {db.name} <span class="subtle">{db.kind === "sqlite" ? "SQLite" : "PostgreSQL"}</span>
    </h3>
    <Alarm db={db} now={ctx.now} />
    <div class="now">
      <dl class="facts">
        <dt>Schedule</dt>
        <dd>
          <code>{db.schedule}</code>
          {db.running ? (
            <>
              {" "}
              · <Badge tone="info">running now</Badge>
            </>
          ) : db.nextRunAt === null ? (
            " · not scheduled (no live release)"
          ) : db.nextRunAt <= ctx.now ? (
            " · next run: due now"
          ) : (
            <>
              {" "}
              · next run <In at={db.nextRunAt} now={ctx.now} />
            </>
          )}
        </dd>
        <dt>Stored</dt>
        <dd>
          {db.destinations.join(", ")}
          {db.encrypted ? " · encrypted" : ""}
        </dd>
        <dt>Kept</dt>
        <dd>{db.keep}</dd>
        <dt>Last good</dt>
        <dd>{db.lastGoodAt === null ? "never" : <Ago at={db.lastGoodAt} now={ctx.now} />}</dd>
      </dl>
      <div class="actions">
        <a
          class="button"
          href={backupUrl(ctx.app, ctx.env, db.name)}
          aria-label={`Back up now (${db.name})…`}
        >
          Back up now…
        </a>
      </div>
    </div>
    {db.recent.length === 0 ? (
      <p class="empty">No backups of {db.name} yet.</p>
    ) : (
      <div class="table-wrap">
        <table class="stack backups">
          <caption class="visually-hidden">Last backups of {db.name}</caption>
          <Head
            columns={["Backup", "Taken", "Trigger", "Size", "Verified", "Took", "Stored at"]}
            optional={["Trigger", "Took"]}
          />
          <tbody>
            {db.recent.map((b) => (
              <tr data-backup={b.id} data-status={b.status}>
                <td data-label="Backup">{b.id}</td>
                <td data-label="Taken">
                  <Ago at={b.createdAt} now={ctx.now} />
                </td>
                <td class="opt" data-label="Trigger">
                  {b.release ? `${b.trigger} ${b.release}` : b.trigger}
                </td>
                <td data-label="Size">{b.bytes === null ? "–" : formatBytes(b.bytes)}</td>
                <td data-label="Verified">
                  <Verified backup={b} />
                </td>
                <td class="opt" data-label="Took">
                  {span(b.durationMs)}
                </td>
                <td class="target" data-label="Stored at">
                  {b.locations.length > 0 ? b.locations.join(" ") : b.status === "failed" ? "–" : "pruned"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
    {db.restoreCommand && (
      <p class="restore">
        To restore (it replaces the database, so it is done from the CLI):{" "}
        <code class="command">{db.restoreCommand}</code>
      </p>
    )}
  </div>
);

/** The confirmation page of "Back up now" for one database. */
export function backupUrl(app: string, env: string, db: string): string {
  const query = new URLSearchParams({ db, ...(env === PRODUCTION ? {} : { env }) });
  return `/dashboard/apps/${app}/backup?${query}`;
}

/** Said loudly: the newest attempt failed, or no good backup for too long. */
const Alarm: FC<{ db: DatabaseBackups; now: number }> = ({ db, now }) => {
  const failure = db.lastFailure;
  const lastGood =
    db.lastGoodAt === null ? (
      "there is no good backup yet"
    ) : (
      <>
        the last good one is <Ago at={db.lastGoodAt} now={now} />
      </>
    );
  if (db.failing && failure)
    return (
      <p class="notice bad big alarm" role="alert">
        The last backup of {db.name} {failure.status === "bad" ? "failed verification" : "FAILED"} (
        {failure.id}, <Ago at={failure.createdAt} now={now} />
        ): {failure.error ?? failure.verifyNote}. {lastGood}.
      </p>
    );
  if (db.stale)
    return (
      <p class="notice bad alarm" role="alert">
        No good backup of {db.name} for more than one and a half periods of its schedule: {lastGood}.
      </p>
    );
  if (failure)
    return (
      <p class="notice warn">
        Last failure: {failure.id} <Ago at={failure.createdAt} now={now} />:{" "}
        {failure.error ?? failure.verifyNote}
      </p>
    );
  return null;
};

const Verified: FC<{ backup: BackupView }> = ({ backup: b }) => {
  if (b.status === "good") return <Badge tone="ok">{b.encrypted ? "yes, encrypted" : "yes"}</Badge>;
  if (b.status === "running") return <Badge tone="info">running</Badge>;
  return (
    <>
      <Badge tone="bad">{b.status === "bad" ? "bad" : "failed"}</Badge>{" "}
      <span class="cause">{b.error ?? b.verifyNote}</span>
    </>
  );
};
