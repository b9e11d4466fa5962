import type { ConventionalCommit } from "./conventional.js";

interface Commit {
  sha: string;
  conventional: ConventionalCommit;
}

/**
 * Pure. Takes out of a release each commit that a later commit in the same range reverts, together
 * with that revert: a feature added and reverted before the release was never released, so it neither
 * bumps the version nor appears in the changelog (conventional-changelog and semantic-release do the
 * same). `commits` is newest first, as `git log` lists them.
 *
 * - A revert that is itself reverted in the range (a revert of a revert, `Reapply "…"`) is void: the
 *   two go, and the commit it reverted stays.
 * - A revert whose commit is outside the range stays, as a change of its own (see docs/versions.md).
 * - The revert is matched by the hash it names, not by its header, so a revert whose header was
 *   rewritten still cancels its commit.
 */
export function withoutReverted<T extends Commit>(commits: T[]): { kept: T[]; dropped: T[] } {
  const cancelled = new Set<T>();
  const kept: T[] = [];
  const dropped: T[] = [];
  commits.forEach((commit, i) => {
    // Newest first: every commit that could revert this one has been seen, so `cancelled` is final for it.
    if (cancelled.has(commit)) {
      dropped.push(commit);
      return;
    }
    const { reverts } = commit.conventional;
    const targets = reverts.map((hash) => commits.find((older, j) => j > i && older.sha.startsWith(hash)));
    for (const target of targets) if (target) cancelled.add(target);
    if (reverts.length > 0 && targets.every(Boolean)) dropped.push(commit);
    else kept.push(commit);
  });
  return { kept, dropped };
}
