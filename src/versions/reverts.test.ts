import { describe, expect, it } from "vitest";
import { git } from "../git/git.js";
import { commitsBetween } from "../git/history.js";
import { commit, initRepo, tag, useTempDirs } from "../test-support/git-fixtures.js";
import { parseCommitMessage } from "./conventional.js";
import { planRelease } from "./plan.js";
import { withoutReverted } from "./reverts.js";
import { conventionalChangelogRelease } from "./test-support/conventional-changelog.js";

const tempDir = useTempDirs();

/** Fake 40-digit hashes: `hash("a")` is "aaaa…". */
const hash = (c: string) => c.repeat(40);

describe("withoutReverted", () => {
  // [name, commits newest first as [hash letter, message], headers kept]
  it.each<[string, Array<[string, string]>, string[]]>([
    [
      "a commit and its revert both go",
      [
        ["b", `Revert "feat(ui): dark mode"\n\nThis reverts commit ${hash("a")}.`],
        ["a", "feat(ui): dark mode"],
      ],
      [],
    ],
    [
      "a revert of a commit outside the range stays",
      [["b", `Revert "feat(ui): dark mode"\n\nThis reverts commit ${hash("a")}.`]],
      ['Revert "feat(ui): dark mode"'],
    ],
    [
      "a revert of a revert: the two go and the first commit stays",
      [
        ["c", `Revert "Revert "feat: x""\n\nThis reverts commit ${hash("b")}.`],
        ["b", `Revert "feat: x"\n\nThis reverts commit ${hash("a")}.`],
        ["a", "feat: x"],
      ],
      ["feat: x"],
    ],
    [
      "three reverts in a row: all four go",
      [
        ["d", `Revert "Reapply "feat: x""\n\nThis reverts commit ${hash("c")}.`],
        ["c", `Reapply "feat: x"\n\nThis reverts commit ${hash("b")}.`],
        ["b", `Revert "feat: x"\n\nThis reverts commit ${hash("a")}.`],
        ["a", "feat: x"],
      ],
      [],
    ],
    [
      "an abbreviated hash (git revert --reference) matches",
      [
        ["b", "fix: dark mode broke login\n\nThis reverts commit aaaaaaa (feat: dark mode, 2026-05-01)."],
        ["a", "feat: dark mode"],
      ],
      [],
    ],
    [
      "a revert of two commits, one outside the range, stays and takes the other out",
      [
        ["c", `Revert two\n\nThis reverts commit ${hash("b")}.\nThis reverts commit ${hash("9")}.`],
        ["b", "feat: b"],
        ["a", "fix: a"],
      ],
      ["Revert two", "fix: a"],
    ],
    [
      "a hash shorter than 7 digits is not a reference",
      [
        ["b", "Revert\n\nThis reverts commit aaaaaa."],
        ["a", "feat: a"],
      ],
      ["Revert", "feat: a"],
    ],
  ])("%s", (_name, commits, kept) => {
    const parsed = commits.map(([c, message]) => ({
      sha: hash(c),
      conventional: parseCommitMessage(message),
    }));
    const result = withoutReverted(parsed);
    expect(result.kept.map((c) => c.conventional.header)).toEqual(kept);
    expect(result.kept.length + result.dropped.length).toBe(commits.length);
  });
});

/** A step of a case's history; `sha(label)` is a commit made by an earlier step. */
type Step = (dir: string, sha: (label: string) => string) => Promise<[string, string]>;

/** A commit that changes a file of its own, so git can revert it. */
const made =
  (label: string, message: string): Step =>
  async (dir) => [label, await commit(dir, message, { [`${label}.txt`]: message })];
/** `git revert` itself, so the message is git's own default. */
const gitRevert =
  (label: string, of: string): Step =>
  async (dir, sha) => {
    await git(["revert", "--no-edit", sha(of)], { cwd: dir });
    return [label, await git(["rev-parse", "HEAD"], { cwd: dir })];
  };
/** A revert message written out, for the formats of git versions newer than the one installed. */
const written =
  (label: string, of: string, message: (sha: string) => string): Step =>
  async (dir, sha) => [label, await commit(dir, message(sha(of)))];

/** `feat(ui): dark mode`, then a revert of it with this message. */
const darkModeRevertedBy = (message: (sha: string) => string): Step[] => [
  made("feat", "feat(ui): dark mode"),
  written("revert", "feat", message),
];

interface Case {
  name: string;
  /** Commits before the v1.2.3 tag, then commits in the released range. */
  before: Step[];
  range: Step[];
  skiff: { bump: string; listed: string[] };
  /** What conventional-changelog does where Skiff knowingly differs (docs/versions.md says why). */
  conventionalChangelog?: { bump: string; listed: string[] };
}

const CASES: Case[] = [
  {
    name: "a feature and its revert release nothing",
    before: [],
    range: [made("feat", "feat(ui): dark mode"), gitRevert("revert", "feat")],
    skiff: { bump: "none", listed: [] },
  },
  {
    name: "a breaking change and its revert release nothing",
    before: [],
    range: [made("feat", "feat(api)!: drop /v1"), gitRevert("revert", "feat")],
    skiff: { bump: "none", listed: [] },
  },
  {
    name: "a fix stays when a feature beside it is reverted",
    before: [],
    range: [made("feat", "feat(ui): dark mode"), made("fix", "fix: login"), gitRevert("revert", "feat")],
    skiff: { bump: "patch", listed: ["fix"] },
  },
  {
    name: "a revert of a released feature is a patch, listed as a revert",
    before: [made("feat", "feat(ui): dark mode")],
    range: [gitRevert("revert", "feat")],
    skiff: { bump: "patch", listed: ["revert"] },
  },
  {
    name: "a revert of a released breaking change is a patch, listed as a revert",
    before: [made("feat", "feat(api)!: drop /v1")],
    range: [gitRevert("revert", "feat")],
    skiff: { bump: "patch", listed: ["revert"] },
  },
  {
    name: 'a revert of a revert (git before 2.43: Revert "Revert …") keeps the feature',
    before: [],
    range: [
      made("feat", "feat(ui): dark mode"),
      gitRevert("revert", "feat"),
      // Written out: git 2.43+ heads this commit Reapply (the next case).
      written(
        "again",
        "revert",
        (sha) => `Revert "Revert "feat(ui): dark mode""\n\nThis reverts commit ${sha}.\n`,
      ),
    ],
    skiff: { bump: "minor", listed: ["feat"] },
  },
  {
    name: 'a revert of a revert (git 2.43+: Reapply "…") keeps the feature',
    before: [],
    range: [
      made("feat", "feat(ui): dark mode"),
      gitRevert("revert", "feat"),
      written("again", "revert", (sha) => `Reapply "feat(ui): dark mode"\n\nThis reverts commit ${sha}.\n`),
    ],
    skiff: { bump: "minor", listed: ["feat"] },
    // Its parser knows only "Revert"/"revert:" headers: the Reapply is a plain commit, the feature is lost.
    conventionalChangelog: { bump: "patch", listed: [] },
  },
  {
    name: "a revert whose header was reworded still cancels its commit",
    before: [],
    range: darkModeRevertedBy((sha) => `Revert "dark mode, it broke login"\n\nThis reverts commit ${sha}.\n`),
    skiff: { bump: "none", listed: [] },
    // It matches the revert by header and hash together, so both stay and the feature is listed.
    conventionalChangelog: { bump: "minor", listed: ["feat", "revert"] },
  },
  {
    name: "git revert --reference (short hash, own header) cancels its commit",
    before: [],
    range: darkModeRevertedBy(
      (sha) =>
        `fix(ui): dark mode broke login\n\nThis reverts commit ${sha.slice(0, 8)} (feat(ui): dark mode, 2026-05-01).\n`,
    ),
    skiff: { bump: "none", listed: [] },
    // Its revert pattern wants the header "Revert …" and the full hash followed by a period.
    conventionalChangelog: { bump: "minor", listed: ["feat", "revert"] },
  },
];

describe("reverts, against conventional-changelog on real git history", () => {
  it.each(CASES)("$name", async (c) => {
    const dir = await initRepo(tempDir());
    const shas = new Map<string, string>();
    const sha = (label: string) => shas.get(label) ?? expect.fail(`no commit ${label}`);
    const run = async (steps: Step[]) => {
      for (const step of steps) {
        const [label, made] = await step(dir, sha);
        shas.set(label, made);
      }
    };
    await commit(dir, "chore: start");
    await run(c.before);
    await tag(dir, "v1.2.3");
    const base = await git(["rev-parse", "HEAD"], { cwd: dir });
    await run(c.range);
    const labelOf = (short: string) => [...shas].find(([, s]) => s.startsWith(short))?.[0] ?? short;

    const plan = await planRelease(dir, { date: new Date("2026-05-06T00:00:00Z") });
    const listed = [...shas.values()].filter((s) => plan.section.includes(s.slice(0, 7)));
    expect({ bump: plan.bump, listed: listed.map((s) => labelOf(s)).sort() }).toEqual(c.skiff);
    expect(plan.version).toBe({ none: "1.2.3", patch: "1.2.4", minor: "1.3.0" }[plan.bump as string]);

    const reference = await conventionalChangelogRelease(await commitsBetween(dir, base));
    expect({ bump: reference.bump, listed: reference.listed.map(labelOf).sort() }).toEqual(
      c.conventionalChangelog ?? c.skiff,
    );
  });

  it("lists a kept revert under Reverts with its header as git wrote it", async () => {
    const dir = await initRepo(tempDir());
    const feat = await commit(dir, "feat(ui): dark mode", { "ui.txt": "dark" });
    await tag(dir, "v1.2.3");
    await git(["revert", "--no-edit", feat], { cwd: dir });
    const revert = await git(["rev-parse", "HEAD"], { cwd: dir });
    const plan = await planRelease(dir, { date: new Date("2026-05-06T00:00:00Z") });
    expect(plan.section).toBe(
      `## v1.2.4 (2026-05-06)\n\n### Reverts\n\n- Revert "feat(ui): dark mode" (${revert.slice(0, 7)})\n`,
    );
    expect(plan.reverted).toEqual([]);
  });
});
