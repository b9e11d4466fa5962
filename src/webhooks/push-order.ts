/**
 * Which commit a push deploys, if any, decided after the agent fetched the repository. Webhooks are
 * not ordered (GitHub does not promise order, three quick pushes may arrive 1, 3, 2), they can be
 * redelivered, and a signed body can be replayed with a new delivery id (the id is not signed). So the
 * push's own sha is taken only as a sign that the branch moved, and what gets deployed is the branch's
 * tip in the fetched mirror, and only when that moves the environment forward:
 *
 *   1. the branch is gone from the repository                  → nothing (its deletion is its own push)
 *   2. the tip is live already                                 → nothing (a redelivery, a replay)
 *   3. the tip is older than the live commit (an ancestor)     → nothing: going back is `skiff rollback`
 *   4. the tip is, or is older than, a deploy under way or queued → nothing: that one is newer
 *   5. the tip was rolled back from in this environment        → nothing: a push does not undo a rollback
 *   6. else                                                    → deploy the tip
 *
 * Deploying the tip, not the pushed sha, is what keeps a late delivery from undoing a newer one (o1,
 * o3, o2 ends with o3 live, not o2) without ever dropping the newest state of the branch. Pure: the
 * commit graph is asked through `graph`, which tests give as a table.
 */

export interface PushFacts {
  branch: string;
  /** The commit the push names (`after`); it exists in the mirror (the caller checked). */
  pushed: string;
  /** The branch's tip in the mirror, just fetched; undefined when the branch is gone. */
  tip: string | undefined;
  /** The commit live in the environment now. */
  live: string | undefined;
  /** Commits of the environment's deploys under way (a CLI deploy) or queued (the next push). */
  pending: string[];
  /** Commits the environment was rolled back from, with the release that ran them. */
  rolledBack: ReadonlyMap<string, string>;
}

export interface CommitGraph {
  /** Whether `ancestor` is `descendant` or one of its ancestors; false for a commit the graph lacks. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
}

export type PushDecision = { deploy: true; sha: string; note?: string } | { deploy: false; reason: string };

export async function decidePushDeploy(facts: PushFacts, graph: CommitGraph): Promise<PushDecision> {
  const { branch, pushed, tip, live } = facts;
  if (tip === undefined) return skip(`${branch} is no longer in the repository`);
  const short = tip.slice(0, 12);
  const moved = pushed === tip ? undefined : `${branch} moved on from ${pushed.slice(0, 12)} to ${short}`;
  const why = moved ? `${moved}, and ${short}` : short;
  if (tip === live) return skip(`${why} is live already`);
  if (live !== undefined && (await graph.isAncestor(tip, live)))
    return skip(`${why} is older than the live ${live.slice(0, 12)}; to go back, use skiff rollback`);
  for (const other of facts.pending) {
    if (await graph.isAncestor(tip, other))
      return skip(`${why} is not newer than ${other.slice(0, 12)}, deployed or queued already`);
  }
  const undone = facts.rolledBack.get(tip);
  if (undone !== undefined)
    return skip(
      `${why} was rolled back from (${undone}); a push does not undo a rollback: push a new commit, or skiff deploy it`,
    );
  return moved ? { deploy: true, sha: tip, note: `${moved}: deploying the tip` } : { deploy: true, sha: tip };
}

function skip(reason: string): PushDecision {
  return { deploy: false, reason };
}
