import { describe, expect, it } from "vitest";
import { type CommitGraph, decidePushDeploy, type PushFacts } from "./push-order.js";

/**
 * The history the table uses, each commit with its parent:
 *
 *   o1 ← o2 ← o3 ← o4          main
 *          ↖ f1                 a side branch off o2 (a force-push target, a CLI deploy of a branch)
 */
const PARENTS: Record<string, string | undefined> = { o1: undefined, o2: "o1", o3: "o2", o4: "o3", f1: "o2" };

const graph: CommitGraph = {
  async isAncestor(ancestor, descendant) {
    for (let at: string | undefined = descendant; at !== undefined; at = PARENTS[at]) {
      if (at === ancestor) return true;
    }
    return false;
  },
};

const facts = (over: Partial<PushFacts>): PushFacts => ({
  branch: "main",
  pushed: "o3",
  tip: "o3",
  live: "o2",
  pending: [],
  rolledBack: new Map(),
  ...over,
});

describe("decidePushDeploy", () => {
  it.each<[string, Partial<PushFacts>, string | RegExp]>([
    ["the push of the new tip", {}, "o3"],
    ["the first push of an environment with nothing live", { live: undefined }, "o3"],
    [
      "a late delivery for an older commit: the tip instead (o1, o3, o2 → o3)",
      { pushed: "o2", live: "o1" },
      "o3",
    ],
    ["a push for a commit the branch was force-pushed away from: the tip", { pushed: "f1", tip: "o4" }, "o4"],
    ["a new commit after a CLI deploy of a side branch (not an ancestor)", { tip: "o4", live: "f1" }, "o4"],
    [
      "a replay, new delivery id, of the push of the live commit",
      { pushed: "o2", tip: "o2" },
      /o2 is live already/,
    ],
    [
      "a redelivery after the branch moved on and its tip went live",
      { pushed: "o2", tip: "o3", live: "o3" },
      /moved on from o2 to o3, and o3 is live already/,
    ],
    [
      "a replay of an old push while main is at the live commit",
      { pushed: "o1", tip: "o3", live: "o3" },
      /is live already/,
    ],
    [
      "a branch force-pushed back to an older commit",
      { pushed: "o1", tip: "o1", live: "o3" },
      /older than the live o3; to go back, use skiff rollback/,
    ],
    ["a tip older than a deploy under way", { tip: "o3", pending: ["o4"] }, /not newer than o4/],
    ["a tip equal to the one queued", { tip: "o3", pending: ["o3"] }, /not newer than o3/],
    [
      "a tip the environment was rolled back from",
      { tip: "o3", live: "o1", rolledBack: new Map([["o3", "r3"]]) },
      /rolled back from \(r3\); a push does not undo a rollback/,
    ],
    ["a deleted branch", { tip: undefined }, /main is no longer in the repository/],
  ])("%s", async (_name, over, expected) => {
    const decision = await decidePushDeploy(facts(over), graph);
    if (typeof expected === "string") {
      expect(decision).toMatchObject({ deploy: true, sha: expected });
    } else {
      expect(decision.deploy).toBe(false);
      expect(decision.deploy === false && decision.reason).toMatch(expected);
    }
  });

  it("says when it deploys the tip rather than the pushed commit", async () => {
    expect(await decidePushDeploy(facts({ pushed: "o2", live: "o1" }), graph)).toEqual({
      deploy: true,
      sha: "o3",
      note: "main moved on from o2 to o3: deploying the tip",
    });
  });
});
