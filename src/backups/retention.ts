import type { KeepPolicy } from "./config.js";

/** What retention needs to know of a stored backup (one with an archive somewhere). */
export interface StoredBackup {
  id: string;
  createdAt: number;
  /** `bad`: it failed verification; it counts like any other, but is never "the last good one". */
  good: boolean;
}

/**
 * Pure. The backups `keep:` lets go, oldest first. A count keeps the newest N; a duration deletes what
 * is older, but never the newest `min` (so a schedule that stopped for a month does not prune
 * everything). Whatever the policy, the newest good backup is never deleted: after a run of failed
 * verifications it is the only way back.
 */
export function backupsToPrune(backups: readonly StoredBackup[], keep: KeepPolicy, now: number): string[] {
  const newestFirst = [...backups].sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
  const lastGood = newestFirst.find((b) => b.good);
  const doomed = newestFirst.filter((backup, index) => {
    if (backup === lastGood) return false;
    if (keep.kind === "count") return index >= keep.count;
    return index >= keep.min && now - backup.createdAt > keep.ms;
  });
  return doomed.reverse().map((b) => b.id);
}
