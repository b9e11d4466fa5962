import { rm } from "node:fs/promises";
import type { Release } from "../store/releases.js";

/**
 * Which releases' files may be deleted. Pure: `history` newest first. Only deploys own files (a rollback
 * reuses another release's). The newest `keep` stay, and so does anything in `protect`
 * (the live release, the rollback target, whatever still runs).
 */
export function releasesToPrune(history: Release[], keep: number, protect: ReadonlySet<string>): Release[] {
  const owners = history.filter((r) => r.trigger === "deploy");
  return owners.slice(keep).filter((r) => !protect.has(r.id));
}

export async function removeReleaseFiles(paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
}
