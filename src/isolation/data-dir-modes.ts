import { chmodSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { OperationError } from "../errors.js";

/**
 * Folders of the data directory an app's user must pass through to reach its own files: traversable
 * (x) by everyone but not listable, so an app can open `releases/<app>/<id>/` and nothing else.
 */
export const TRAVERSED = new Set(["releases", "storage", "home"]);

/**
 * Pure. The mode an entry directly under the data directory gets when apps are isolated: the folders
 * apps pass through 0711, every other folder 0700 and every file 0600 (the token, the secret store,
 * the ledger and its -wal/-shm, agent.json), all owned by the agent.
 */
export function topLevelMode(name: string, isDirectory: boolean): number {
  if (!isDirectory) return 0o600;
  return TRAVERSED.has(name) ? 0o711 : 0o700;
}

/**
 * Locks the data directory down for isolated apps: the directory itself 0711 (traversable, not
 * listable), then each entry by topLevelMode. Run at every start, so a data directory made by an older
 * agent, or loosened by hand, is brought back.
 */
export function lockDownDataDir(root: string): void {
  chmodSync(root, 0o711);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    chmodSync(join(root, entry.name), topLevelMode(entry.name, entry.isDirectory()));
  }
}

/**
 * An app's user must be able to traverse every folder above the data directory to reach its release;
 * a data directory under /root (0700) would make every app fail at its first file. Said at start,
 * naming the folder and the fix, rather than as a failed deploy later.
 */
export function checkReachable(root: string): void {
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0)
      throw new OperationError(
        `--data-dir ${root}: isolated apps cannot reach it because ${dir} is not traversable by other users (mode ${(mode & 0o777).toString(8)})`,
        { hint: `chmod o+x ${dir}, or use a data directory such as /var/lib/skiff` },
      );
    if (dir === dirname(dir)) return;
  }
}
