import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Release } from "../store/releases.js";
import { pruneImages } from "./container-steps.js";
import { chooseRollbackTarget } from "./rollback-target.js";
import type { DeployerParts } from "./run.js";

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

/**
 * Deletes the files and logs of `app`'s releases beyond `keep`: never one that still runs (live or warm,
 * in any environment), a live release or its rollback target. Each deletion is an event in the ledger.
 */
export async function pruneReleases(parts: DeployerParts, app: string, keep: number): Promise<void> {
  const { store, serving, runtime, dataDir } = parts;
  const history = store.releases.list(app);
  const protect = serving.runningArtifacts(app);
  for (const live of history.filter((r) => r.status === "live")) {
    protect.add(live.artifact);
    const target = chooseRollbackTarget(
      history.filter((r) => r.env === live.env),
      live,
    );
    if (target.ok) protect.add(target.release.artifact);
  }
  const doomed = releasesToPrune(history, keep, protect).filter((r) =>
    existsSync(dataDir.releaseDir(app, r.id)),
  );
  for (const release of doomed) runtime.closeLog(app, release.id);
  await removeReleaseFiles(
    doomed.flatMap((r) => [
      dataDir.releaseDir(app, r.id),
      dataDir.logFile(app, r.id),
      `${dataDir.logFile(app, r.id)}.1`,
    ]),
  );
  for (const release of doomed) {
    store.events.add({ app, release: release.id, kind: "release", name: "pruned", at: Date.now() });
  }
  // Images: kept while a release whose files are still there runs them (a rollback or promote runs its
  // target's); every release whose files are gone gives its image up. Not only this round's: an image
  // the engine refused (its container was still being removed) is removed at a later deploy.
  const hasFiles = (r: Release) => existsSync(dataDir.releaseDir(app, r.artifact));
  const kept = history.filter(hasFiles);
  const pruned = history.filter((r) => r.image !== null && !hasFiles(r));
  await pruneImages(parts, app, pruned, kept);
}

async function removeReleaseFiles(paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
}
