import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { git } from "../git/git.js";
import { commit, initRepo, useTempDirs } from "../test-support/git-fixtures.js";
import { planRelease } from "./plan.js";
import { cutRelease, prepareRelease, tagRelease } from "./release.js";

const tempDir = useTempDirs();

async function clonedRepo(): Promise<{ dir: string; remote: string }> {
  const remote = await initRepo(tempDir(), { bare: true });
  const dir = await initRepo(tempDir());
  await git(["remote", "add", "origin", remote], { cwd: dir });
  await commit(dir, "feat: first", { "a.txt": "a" });
  await git(["push", "--quiet", "origin", "main"], { cwd: dir });
  return { dir, remote };
}

describe("prepareRelease", () => {
  it("commits CHANGELOG.md alone, leaving other changes uncommitted", async () => {
    const { dir } = await clonedRepo();
    writeFileSync(join(dir, "a.txt"), "edited");
    const before = await git(["rev-parse", "HEAD"], { cwd: dir });
    const prepared = await prepareRelease(dir, {
      version: "0.1.0",
      section: "## v0.1.0 (2026-01-01)\n\n- x\n",
    });
    expect(prepared.committed).toBe(true);
    expect(prepared.sha).not.toBe(before);
    expect(await git(["log", "-1", "--format=%s", prepared.sha], { cwd: dir })).toBe(
      "chore(release): v0.1.0",
    );
    expect(await git(["show", "--name-only", "--format=", prepared.sha], { cwd: dir })).toBe("CHANGELOG.md");
    expect(await git(["status", "--porcelain"], { cwd: dir })).toBe(" M a.txt");
    expect(readFileSync(join(dir, "CHANGELOG.md"), "utf8")).toBe(
      "# Changelog\n\n## v0.1.0 (2026-01-01)\n\n- x\n",
    );
  });

  it("makes no second commit for the same section", async () => {
    const { dir } = await clonedRepo();
    const release = { version: "0.1.0", section: "## v0.1.0 (2026-01-01)\n\n- x\n" };
    const first = await prepareRelease(dir, release);
    const second = await prepareRelease(dir, release);
    expect(second).toMatchObject({ committed: false, sha: first.sha });
  });
});

describe("tagRelease", () => {
  it("creates an annotated tag with the section and pushes it to the remote", async () => {
    const { dir, remote } = await clonedRepo();
    const sha = await git(["rev-parse", "HEAD"], { cwd: dir });
    const section = "## v0.1.0 (2026-01-01)\n\n### Features\n\n- first (abc1234)\n";
    const tagged = await tagRelease(dir, { version: "0.1.0", sha, section });
    expect(tagged).toEqual({ tag: "v0.1.0", sha, created: true, pushedTo: "origin" });
    expect(await git(["cat-file", "-t", "v0.1.0"], { cwd: dir })).toBe("tag");
    expect(await git(["tag", "-l", "--format=%(contents)", "v0.1.0"], { cwd: dir })).toBe(
      `v0.1.0\n\n${section}`,
    );
    expect(await git(["rev-parse", "v0.1.0^{commit}"], { cwd: remote })).toBe(sha);
  });

  it("works without a remote", async () => {
    const dir = await initRepo(tempDir());
    const sha = await commit(dir, "fix: x");
    expect(await tagRelease(dir, { version: "1.0.1", sha, section: "s" })).toMatchObject({
      created: true,
      pushedTo: undefined,
    });
  });

  it("keeps a tag already on the same commit and refuses one on another", async () => {
    const dir = await initRepo(tempDir());
    const first = await commit(dir, "fix: x");
    const second = await commit(dir, "fix: y");
    await tagRelease(dir, { version: "1.0.1", sha: first, section: "s" });
    expect(await tagRelease(dir, { version: "1.0.1", sha: first, section: "s" })).toMatchObject({
      created: false,
    });
    await expect(tagRelease(dir, { version: "1.0.1", sha: second, section: "s" })).rejects.toThrow(
      /tag v1.0.1 already exists on/,
    );
  });

  it("reports a failed push with git's reason and no credentials", async () => {
    const dir = await initRepo(tempDir());
    const sha = await commit(dir, "fix: x");
    const secretish = ["user", "pa55word"].join(":");
    await git(["remote", "add", "origin", `http://${secretish}@127.0.0.1:9/nothing.git`], { cwd: dir });
    const error = await tagRelease(dir, { version: "1.0.0", sha, section: "s" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 1, message: "could not push tag v1.0.0 to origin" });
    expect(JSON.stringify(error)).not.toContain("pa55word");
    expect((error as { details: string[] }).details.join("\n")).toMatch(/127\.0\.0\.1/);
  });
});

describe("cutRelease", () => {
  it("releases the planned version: changelog commit, tag on it, pushed", async () => {
    const { dir, remote } = await clonedRepo();
    await commit(dir, "feat(api): second");
    const plan = await planRelease(dir, { date: new Date("2026-02-03T00:00:00Z") });
    const released = await cutRelease(dir, plan);
    expect(released).toMatchObject({ tag: "v0.1.0", committed: true, created: true, pushedTo: "origin" });
    expect(await git(["rev-parse", "v0.1.0^{commit}"], { cwd: remote })).toBe(released.sha);
    expect(await git(["show", "v0.1.0:CHANGELOG.md"], { cwd: dir })).toContain("- **api:** second");

    await commit(dir, "fix: third");
    const next = await planRelease(dir);
    expect(next).toMatchObject({ version: "0.1.1", bump: "patch" });
    expect(next.commits.map((c) => c.message)).toEqual(["fix: third"]);
  });
});
