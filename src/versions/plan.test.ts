import { describe, expect, it } from "vitest";
import { commit, initRepo, tag, useTempDirs } from "../test-support/git-fixtures.js";
import { planRelease } from "./plan.js";
import { lastVersionTag } from "./tags.js";

const tempDir = useTempDirs();
const DATE = new Date("2026-05-06T12:00:00Z");

async function repoWith(messages: string[]): Promise<{ dir: string; shas: string[] }> {
  const dir = await initRepo(tempDir());
  const shas: string[] = [];
  for (const [i, message] of messages.entries())
    shas.push(await commit(dir, message, { [`f${i}.txt`]: message }));
  return { dir, shas };
}

describe("lastVersionTag", () => {
  it("takes the highest release tag reachable from HEAD, ignoring pre-releases and other names", async () => {
    const { dir, shas } = await repoWith(["feat: a", "fix: b", "fix: c", "fix: d"]);
    await tag(dir, "v0.9.0", shas[0]);
    await tag(dir, "v1.10.0", shas[1]);
    await tag(dir, "v1.9.0", shas[2]);
    await tag(dir, "v2.0.0-rc.1", shas[3]);
    await tag(dir, "release-5", shas[3]);
    expect(await lastVersionTag(dir)).toEqual({ version: "1.10.0", tag: "v1.10.0", sha: shas[1] });
  });

  it("ignores tags on commits that HEAD does not contain", async () => {
    const { dir, shas } = await repoWith(["feat: a", "fix: b"]);
    await tag(dir, "v1.0.0", shas[0]);
    await commitOnSideBranch(dir);
    expect((await lastVersionTag(dir))?.version).toBe("1.0.0");
  });

  it("is undefined without tags", async () => {
    const { dir } = await repoWith(["feat: a"]);
    expect(await lastVersionTag(dir)).toBeUndefined();
  });
});

async function commitOnSideBranch(dir: string): Promise<void> {
  const { git } = await import("../git/git.js");
  await git(["checkout", "--quiet", "-b", "side"], { cwd: dir });
  await commit(dir, "feat: side work");
  await tag(dir, "v5.0.0");
  await git(["checkout", "--quiet", "main"], { cwd: dir });
}

describe("planRelease", () => {
  it.each([
    {
      name: "no tag: the first version",
      tags: {},
      messages: ["feat: a", "fix: b"],
      version: "0.1.0",
      bump: "initial",
      counted: 2,
    },
    {
      name: "patch after a tag",
      tags: { 0: "v1.2.3" },
      messages: ["feat: a", "fix: b", "docs: c"],
      version: "1.2.4",
      bump: "patch",
      counted: 2,
    },
    {
      name: "minor after a tag",
      tags: { 0: "v1.2.3" },
      messages: ["init", "fix: b", "feat: c"],
      version: "1.3.0",
      bump: "minor",
      counted: 2,
    },
    {
      name: "major from `!`",
      tags: { 0: "v1.2.3" },
      messages: ["init", "feat!: c"],
      version: "2.0.0",
      bump: "major",
      counted: 1,
    },
    {
      name: "major from a footer",
      tags: { 0: "v1.2.3" },
      messages: ["init", "fix: c\n\nBREAKING CHANGE: d"],
      version: "2.0.0",
      bump: "major",
      counted: 1,
    },
    {
      name: "0.x: breaking bumps the minor",
      tags: { 0: "v0.4.1" },
      messages: ["init", "feat!: c"],
      version: "0.5.0",
      bump: "minor",
      counted: 1,
    },
    {
      name: "the newest of several tags",
      tags: { 0: "v0.9.0", 1: "v1.0.0" },
      messages: ["a", "b", "fix: c"],
      version: "1.0.1",
      bump: "patch",
      counted: 1,
    },
    {
      name: "nothing since the tag",
      tags: { 1: "v3.0.0" },
      messages: ["a", "b"],
      version: "3.0.0",
      bump: "none",
      counted: 0,
    },
    {
      name: "release commits do not count",
      tags: { 0: "v1.0.0" },
      messages: ["a", "chore(release): v1.0.0"],
      version: "1.0.0",
      bump: "none",
      counted: 0,
    },
  ])("$name", async ({ tags, messages, version, bump, counted }) => {
    const { dir, shas } = await repoWith(messages);
    for (const [index, name] of Object.entries(tags)) await tag(dir, name, shas[Number(index)]);
    const plan = await planRelease(dir, { date: DATE });
    expect(plan).toMatchObject({ version, bump, head: shas.at(-1) });
    expect(plan.commits).toHaveLength(counted);
    expect(plan.section.startsWith(`## v${version} (2026-05-06)`)).toBe(true);
  });

  it("counts from the agent's last deployed commit over any tag", async () => {
    const { dir, shas } = await repoWith(["feat: a", "feat: b", "fix: c", "fix: d"]);
    await tag(dir, "v1.0.0", shas[0]);
    const plan = await planRelease(dir, { lastDeployed: { version: "4.1.0", sha: shas[2]! } });
    expect(plan.base).toEqual({ version: "4.1.0", sha: shas[2], source: "agent" });
    expect(plan).toMatchObject({ version: "4.1.1", bump: "patch" });
    expect(plan.commits.map((c) => c.sha)).toEqual([shas[3]]);
  });

  it("counts from a tag above the agent's version (cut by skiff version, not yet deployed)", async () => {
    const { dir, shas } = await repoWith(["feat: a", "feat: b", "feat: c"]);
    await tag(dir, "v0.2.0", shas[1]);
    const plan = await planRelease(dir, { lastDeployed: { version: "0.1.0", sha: shas[0]! } });
    expect(plan.base).toMatchObject({ version: "0.2.0", source: "tag", sha: shas[1] });
    expect(plan).toMatchObject({ version: "0.3.0", bump: "minor" });
  });

  it("gives an older commit that never had a version a new one, not the base's", async () => {
    const { dir, shas } = await repoWith(["feat: a", "feat: b", "feat: c"]);
    const plan = await planRelease(dir, { ref: shas[0], lastDeployed: { version: "0.3.0", sha: shas[2]! } });
    expect(plan).toMatchObject({ version: "0.3.1", bump: "patch" });
  });

  it("gives a tagged commit its own version again, whatever the agent deployed since", async () => {
    const { dir, shas } = await repoWith(["feat: a", "feat: b", "feat: c"]);
    await tag(dir, "v0.1.0", shas[0]);
    const plan = await planRelease(dir, { ref: shas[0], lastDeployed: { version: "0.3.0", sha: shas[2]! } });
    expect(plan).toMatchObject({ version: "0.1.0", bump: "none" });
  });

  it("lists the commits newest first with their parsed messages", async () => {
    const { dir, shas } = await repoWith(["feat(ui): a", "fix: b"]);
    const plan = await planRelease(dir);
    expect(plan.commits.map((c) => [c.sha, c.conventional.type, c.conventional.scope, c.author])).toEqual([
      [shas[1], "fix", undefined, "Test Author"],
      [shas[0], "feat", "ui", "Test Author"],
    ]);
  });

  it("releases the given ref rather than HEAD", async () => {
    const { dir, shas } = await repoWith(["fix: a", "feat: b"]);
    await tag(dir, "v1.0.0", shas[0]);
    const plan = await planRelease(dir, { ref: shas[0] });
    expect(plan).toMatchObject({ version: "1.0.0", bump: "none", head: shas[0] });
  });

  it("says how to fix a deployed commit missing from the clone", async () => {
    const { dir } = await repoWith(["fix: a"]);
    await expect(
      planRelease(dir, { lastDeployed: { version: "1.0.0", sha: "1".repeat(40) } }),
    ).rejects.toMatchObject({
      exitCode: 2,
      hint: expect.stringContaining("git fetch"),
    });
  });
});
