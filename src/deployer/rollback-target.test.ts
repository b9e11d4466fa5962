import { describe, expect, it } from "vitest";
import type { Release, ReleaseStatus, Trigger } from "../store/releases.js";
import { releasesToPrune } from "./prune.js";
import { chooseRollbackTarget } from "./rollback-target.js";

function release(
  seq: number,
  status: ReleaseStatus,
  options: { artifact?: number; trigger?: Trigger; wasLive?: boolean } = {},
): Release {
  const wasLive = options.wasLive ?? status !== "failed";
  return {
    app: "hello",
    id: `r${seq}`,
    seq,
    env: "production",
    artifact: `r${options.artifact ?? seq}`,
    trigger: options.trigger ?? (options.artifact ? "rollback" : "cli"),
    status,
    reason: null,
    version: null,
    commit: null,
    deployedBy: null,
    config: {} as Release["config"],
    image: null,
    rollbackOf: null,
    createdAt: seq,
    finishedAt: seq,
    liveAt: wasLive ? seq : null,
    endedAt: null,
  };
}

/** Newest first, as the store lists them. */
const history = (...releases: Release[]) => releases.sort((a, b) => b.seq - a.seq);

describe("chooseRollbackTarget", () => {
  it.each([
    {
      name: "the release before the current one",
      releases: history(release(1, "superseded"), release(2, "live")),
      to: undefined,
      expected: "r1",
    },
    {
      name: "skips failed deploys",
      releases: history(release(1, "superseded"), release(2, "failed"), release(3, "live")),
      to: undefined,
      expected: "r1",
    },
    {
      name: "skips releases that were rolled back",
      releases: history(
        release(1, "superseded"),
        release(2, "rolled-back"),
        release(3, "live", { artifact: 1 }),
      ),
      to: undefined,
      expected:
        "no release before r3 was live and healthy (r2 was rolled back; `skiff rollback --app hello --to r2` puts it back)",
    },
    {
      name: "skips releases that run the current files",
      releases: history(
        release(1, "superseded"),
        release(2, "superseded"),
        release(3, "superseded", { artifact: 1 }),
        release(4, "live"),
      ),
      to: undefined,
      expected: "r3",
    },
    {
      name: "a named release",
      releases: history(release(1, "superseded"), release(2, "superseded"), release(3, "live")),
      to: "r1",
      expected: "r1",
    },
    {
      name: "a named release that was rolled back (rolling forward on purpose)",
      releases: history(
        release(1, "superseded"),
        release(2, "rolled-back"),
        release(3, "live", { artifact: 1 }),
      ),
      to: "r2",
      expected: "r2",
    },
    {
      name: "refuses a named failed release",
      releases: history(release(1, "live"), release(2, "failed")),
      to: "r2",
      expected: "r2 never went live (failed), so it cannot be rolled back to",
    },
    {
      name: "refuses an unknown release",
      releases: history(release(1, "live")),
      to: "r9",
      expected: "no release r9",
    },
    {
      name: "refuses what is already served",
      releases: history(release(1, "superseded"), release(2, "live", { artifact: 1 })),
      to: "r1",
      expected: "r1 runs the same files as the live r2",
    },
    {
      name: "refuses the live release itself",
      releases: history(release(1, "superseded"), release(2, "live")),
      to: "r2",
      expected: "r2 is already live",
    },
  ])("$name", ({ releases, to, expected }) => {
    const current = releases.find((r) => r.status === "live");
    const choice = chooseRollbackTarget(releases, current, to);
    expect(choice.ok ? choice.release.id : choice.reason).toBe(expected);
  });

  it("has nothing to roll back from when nothing is live", () => {
    expect(chooseRollbackTarget([release(1, "failed")], undefined)).toEqual({
      ok: false,
      reason: "nothing is live, so there is nothing to roll back from",
    });
  });
});

describe("releasesToPrune", () => {
  const ids = (releases: Release[]) => releases.map((r) => r.id);

  it.each([
    { keep: 3, protect: [], expected: ["r2", "r1"] },
    { keep: 3, protect: ["r1"], expected: ["r3", "r2"] },
    { keep: 1, protect: ["r5", "r2"], expected: ["r4", "r3", "r1"] },
    { keep: 10, protect: [], expected: [] },
  ])("keep $keep, protect $protect", ({ keep, protect, expected }) => {
    const all = history(
      release(1, "superseded"),
      release(2, "superseded"),
      release(3, "superseded"),
      release(4, "superseded"),
      release(5, "live"),
    );
    expect(ids(releasesToPrune(all, keep, new Set(protect)))).toEqual(expected);
  });

  it("never counts rollbacks, which own no files", () => {
    const all = history(
      release(1, "superseded"),
      release(2, "rolled-back"),
      release(3, "live", { artifact: 1 }),
    );
    expect(ids(releasesToPrune(all, 1, new Set(["r1"])))).toEqual(["r2"]);
  });

  it("lets failed deploys have only the places good releases leave", () => {
    const all = history(
      release(1, "superseded"),
      release(2, "superseded"),
      release(3, "failed"),
      release(4, "failed"),
      release(5, "failed"),
      release(6, "live"),
    );
    // r5, the newest failure, stays outside the count: its log is what gets read next.
    expect(ids(releasesToPrune(all, 3, new Set(["r6"])))).toEqual(["r4", "r3"]);
    expect(ids(releasesToPrune(all, 4, new Set(["r6"])))).toEqual(["r4", "r3"]);
    expect(ids(releasesToPrune(all, 5, new Set(["r6"])))).toEqual(["r3"]);
  });
});
