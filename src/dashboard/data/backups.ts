import { type BackupView, backupView } from "../../backups/api-types.js";
import type { BackupSpec, Destination, KeepPolicy } from "../../backups/config.js";
import { isStale, nextDue, scheduleOf } from "../../backups/schedule.js";
import { formatSpan } from "../../config/duration.js";
import { PREVIEW_PREFIX, PRODUCTION } from "../../environments/names.js";
import type { BackupRecord } from "../../store/backups.js";
import type { DashboardDeps } from "../deps.js";

const DAY_MS = 86_400_000;
/** Backups shown per database; `skiff backups` has the rest. */
export const RECENT_BACKUPS = 5;
/** How far back the last failure is looked for: weeks of daily runs, a few days of hourly ones. */
export const FAILURE_WINDOW = 100;

/** One configured database of an app's environment, as its Backups panel shows it. */
export interface DatabaseBackups {
  name: string;
  kind: "sqlite" | "postgres";
  /** As written in skiff.yml (`daily`, `0 3 * * *`). */
  schedule: string;
  /** Where copies go: `local`, `s3://bucket/prefix` (and the endpoint). Never a secret, nor its name. */
  destinations: string[];
  keep: string;
  encrypted: boolean;
  /** Newest first, RECENT_BACKUPS at most. */
  recent: BackupView[];
  lastGoodAt: number | null;
  /** The newest attempt that did not end good (failed, or failed verification), if any in the window. */
  lastFailure: BackupView | null;
  /** The newest attempt ended badly: nothing good since, say it loudly. */
  failing: boolean;
  /** No good backup for 1.5 periods of the schedule (the scheduler's own rule, which also alerts). */
  stale: boolean;
  /** When the scheduler runs it next (a time past: as soon as it can); null: not scheduled (no live release). */
  nextRunAt: number | null;
  running: boolean;
  /** `skiff restore …` for the newest verified backup, to copy: restores stay on the CLI. */
  restoreCommand: string | null;
}

/**
 * Pure. Each configured database with its recent attempts (`records`: the environment's backups,
 * newest first, as the ledger lists them), its last failure and when it runs next. `watchingSince` is
 * when the environment's live release went live: the scheduler counts a first run and staleness from it.
 */
export function databaseBackups(
  app: string,
  env: string,
  specs: readonly BackupSpec[],
  records: readonly BackupRecord[],
  watchingSince: number | null,
  now: number,
): DatabaseBackups[] {
  return specs.map((spec) => {
    const own = records.filter((r) => r.name === spec.name);
    const schedule = scheduleOf(spec.schedule);
    const lastGood = own.find((r) => r.status === "good");
    const failure = own.find((r) => r.status === "failed" || r.status === "bad");
    const newestDone = own.find((r) => r.status !== "running");
    const lastAttemptAt = own[0]?.createdAt;
    const since = Math.min(watchingSince ?? now, now);
    const next = watchingSince === null ? Number.POSITIVE_INFINITY : nextDue(schedule, lastAttemptAt, since);
    return {
      name: spec.name,
      kind: spec.source.kind,
      schedule: spec.schedule,
      destinations: spec.to.map(describeDestination),
      keep: describeKeep(spec.keep),
      encrypted: spec.encryptionKeySecret !== undefined,
      recent: own.slice(0, RECENT_BACKUPS).map(backupView),
      lastGoodAt: lastGood?.createdAt ?? null,
      lastFailure: failure ? backupView(failure) : null,
      failing: newestDone !== undefined && newestDone === failure,
      stale: watchingSince !== null && isStale(schedule, lastGood?.createdAt, since, now),
      nextRunAt: Number.isFinite(next) ? next : null,
      running: own.some((r) => r.status === "running"),
      restoreCommand: lastGood ? restoreCommand(app, env, lastGood.id) : null,
    };
  });
}

export function restoreCommand(app: string, env: string, id: string): string {
  return `skiff restore ${id} --app ${app}${env === PRODUCTION ? "" : ` --env ${env}`}`;
}

/** A destination by where it is, without the names of the secrets that reach it. */
export function describeDestination(destination: Destination): string {
  if (destination.kind === "local") return "local";
  const where = `s3://${destination.bucket}/${destination.prefix}`;
  return destination.endpoint ? `${where} (${destination.endpoint})` : where;
}

function describeKeep(keep: KeepPolicy): string {
  return keep.kind === "count"
    ? `the newest ${keep.count}`
    : `${keep.ms % DAY_MS === 0 ? `${keep.ms / DAY_MS}d` : formatSpan(keep.ms)} (at least the newest ${keep.min})`;
}

/**
 * The Backups panel's data: undefined when the environment has no `backups:` (or the agent runs
 * without the backups part), and the page leaves the panel out.
 */
export function loadBackups(
  deps: DashboardDeps,
  app: string,
  env: string,
  now: number,
): DatabaseBackups[] | undefined {
  if (!deps.backups) return undefined;
  let specs: readonly BackupSpec[];
  try {
    specs = deps.backups.config(app, env).backups;
  } catch {
    return undefined;
  }
  if (specs.length === 0) return undefined;
  // The scheduler runs the backups of live releases only, and never of previews.
  const live = env.startsWith(PREVIEW_PREFIX) ? undefined : deps.store.releases.live(app, env);
  const records = deps.store.backups.list({ app, env, limit: FAILURE_WINDOW * specs.length });
  return databaseBackups(app, env, specs, records, live ? (live.liveAt ?? live.createdAt) : null, now);
}
