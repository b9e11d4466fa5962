import { rm } from "node:fs/promises";
import type { Release } from "../store/releases.js";

/**
 * Which releases' files may be deleted. Pure: `history` newest first. Only deploys own files (a rollback
 * or a promote reuses another release's). Everything in `protect` stays (the live release, the rollback target,
 * whatever still runs), and the newest others fill the rest of the `keep` places: releases that went live
 * first, failed ones only in places left over, so a run of failed deploys never pushes out a good release.
 * The newest failed release always stays, outside the count: its log is what the operator reads next.
 */
export function releasesToPrune(history: Release[], keep: number, protect: ReadonlySet<string>): Release[] {
  const owners = history.filter((r) => r.artifact === r.id);
  const kept = new Set(owners.filter((r) => protect.has(r.id)).map((r) => r.id));
  const lastFailure = owners.find((r) => r.liveAt === null && r.status === "failed");
  const byWorth = [...owners.filter((r) => r.liveAt !== null), ...owners.filter((r) => r.liveAt === null)];
  for (const release of byWorth) {
    if (kept.size >= keep) break;
    kept.add(release.id);
  }
  return owners.filter((r) => !kept.has(r.id) && r !== lastFailure);
}

export async function removeReleaseFiles(paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
}
