import { PRODUCTION } from "../environments/names.js";
import type { Release } from "../store/releases.js";

export type TargetChoice = { ok: true; release: Release } | { ok: false; reason: string };

/**
 * Which release a rollback puts back. Pure: `history` is the app's releases, newest first.
 * Default: the newest release before the current one that went live and was not itself rolled back,
 * running other files than the current one. Never a release that failed.
 */
export function chooseRollbackTarget(
  history: Release[],
  current: Release | undefined,
  to?: string,
): TargetChoice {
  if (to !== undefined) return namedTarget(history, current, to);
  if (!current) return { ok: false, reason: "nothing is live, so there is nothing to roll back from" };
  const older = history.filter((r) => r.seq < current.seq && r.env === current.env);
  const candidate = older.find(
    (r) => r.liveAt !== null && r.status === "superseded" && r.artifact !== current.artifact,
  );
  if (candidate) return { ok: true, release: candidate };
  const undone = older.find((r) => r.status === "rolled-back" && r.artifact !== current.artifact);
  const env = current.env === PRODUCTION ? "" : ` --env ${current.env}`;
  const command = undone && `skiff rollback --app ${current.app}${env} --to ${undone.id}`;
  const forward = undone ? ` (${undone.id} was rolled back; \`${command}\` puts it back)` : "";
  return { ok: false, reason: `no release before ${current.id} was live and healthy${forward}` };
}

function namedTarget(history: Release[], current: Release | undefined, to: string): TargetChoice {
  const release = history.find((r) => r.id === to);
  if (!release) return { ok: false, reason: `no release ${to}` };
  if (release.status === "failed" || release.liveAt === null) {
    return { ok: false, reason: `${to} never went live (${release.status}), so it cannot be rolled back to` };
  }
  if (current && release.id === current.id) return { ok: false, reason: `${to} is already live` };
  if (current && release.artifact === current.artifact) {
    return { ok: false, reason: `${to} runs the same files as the live ${current.id}` };
  }
  return { ok: true, release };
}
