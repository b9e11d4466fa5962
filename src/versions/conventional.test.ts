import { describe, expect, it } from "vitest";
import { isReleaseCommit, parseCommitMessage } from "./conventional.js";

describe("parseCommitMessage", () => {
  it.each([
    ["feat: add login", { type: "feat", scope: undefined, subject: "add login", breaking: false }],
    [
      "fix(api): handle empty body",
      { type: "fix", scope: "api", subject: "handle empty body", breaking: false },
    ],
    ["Feat(UI): dark mode", { type: "feat", scope: "UI", subject: "dark mode", breaking: false }],
    ["feat!: drop node 18", { type: "feat", scope: undefined, subject: "drop node 18", breaking: true }],
    ["refactor(core)!: new store", { type: "refactor", scope: "core", subject: "new store", breaking: true }],
    [
      "chore(deps/dev): bump vitest",
      { type: "chore", scope: "deps/dev", subject: "bump vitest", breaking: false },
    ],
    ["Update README", { type: undefined, scope: undefined, subject: "Update README", breaking: false }],
    ["feat:missing space", { type: undefined, subject: "feat:missing space", breaking: false }],
    ["feat add login", { type: undefined, subject: "feat add login", breaking: false }],
    ["", { type: undefined, subject: "", breaking: false }],
  ])("%j", (message, expected) => {
    expect(parseCommitMessage(message)).toMatchObject(expected);
  });

  it.each([
    ["BREAKING CHANGE", "fix: tighten auth\n\nexplain why\n\nBREAKING CHANGE: tokens now expire after 1h"],
    ["BREAKING-CHANGE", "fix: tighten auth\n\nBREAKING-CHANGE: tokens now expire after 1h"],
    [
      "a footer after other footers",
      "fix: tighten auth\n\nRefs: #12\nBREAKING CHANGE: tokens now expire after 1h",
    ],
  ])("reads a %s footer", (_, message) => {
    const commit = parseCommitMessage(message);
    expect(commit.breaking).toBe(true);
    expect(commit.breakingNotes).toEqual(["tokens now expire after 1h"]);
    expect(commit.type).toBe("fix");
  });

  it.each([
    ["lowercase", "fix: x\n\nbreaking change: not the footer token"],
    ["no colon", "fix: x\n\nBREAKING CHANGE the api"],
    ["mid-line", "fix: x\n\nthis is not a BREAKING CHANGE: really"],
  ])("does not take a %s mention as breaking", (_, message) => {
    expect(parseCommitMessage(message).breaking).toBe(false);
  });

  it.each([
    ["chore(deps): bump x\n\nbody", "chore(deps): bump x"],
    ["  Update README  \n", "Update README"],
  ])("keeps the header of %j as written", (message, header) => {
    expect(parseCommitMessage(message).header).toBe(header);
  });

  it("keeps a multi-line breaking note", () => {
    const commit = parseCommitMessage("feat: v2 api\n\nBREAKING CHANGE: /v1 is gone\nuse /v2 instead");
    expect(commit.breakingNotes).toEqual(["/v1 is gone\nuse /v2 instead"]);
  });

  it("uses the subject as the note when only `!` marks the break", () => {
    expect(parseCommitMessage("feat(api)!: remove v1").breakingNotes).toEqual(["remove v1"]);
  });

  const sha = "0123456789abcdef0123456789abcdef01234567";
  it.each<[string, string, string[]]>([
    ["git's default", `Revert "feat: x"\n\nThis reverts commit ${sha}.`, [sha]],
    ["git 2.43+ for a revert of a revert", `Reapply "feat: x"\n\nThis reverts commit ${sha}.`, [sha]],
    [
      "git revert --reference",
      "fix: x broke login\n\nThis reverts commit 0123456789 (feat: x, 2026-05-01).",
      ["0123456789"],
    ],
    [
      "a merge's revert",
      `Revert "Merge branch 'x'"\n\nThis reverts commit ${sha}, reversing\nchanges made to 89abcdef.`,
      [sha],
    ],
    ["uppercase hex", `Revert "x"\n\nThis reverts commit ${sha.toUpperCase()}.`, [sha]],
    [
      "two commits",
      `Revert two\n\nThis reverts commit ${sha}.\nThis reverts commit abcdef0.`,
      [sha, "abcdef0"],
    ],
    ["too short a hash", "Revert x\n\nThis reverts commit abcdef.", []],
    ["a mention mid-line", `fix: y\n\nas in: This reverts commit ${sha}.`, []],
    ["no revert", "feat: x", []],
  ])("reads the reverted commits: %s", (_, message, reverts) => {
    expect(parseCommitMessage(message).reverts).toEqual(reverts);
  });
});

describe("isReleaseCommit", () => {
  it.each([
    ["chore(release): v1.2.3", true],
    ["chore(release): 0.1.0", true],
    ["chore(release): v1.2.3\n\nbody", true],
    ["chore(release): prepare", false],
    ["chore: v1.2.3", false],
    ["feat: chore(release): v1.2.3", false],
  ])("%j → %s", (message, expected) => expect(isReleaseCommit(message)).toBe(expected));
});
