import { existsSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AgentError, AgentUnreachableError } from "../errors.js";
import { git } from "../git/git.js";
import { captureOutput, runCli } from "../test-support/cli.js";
import { commit, initRepo, tag, useTempDirs } from "../test-support/git-fixtures.js";
import { DEFAULT_AGENT } from "./options.js";
import { type LastDeployedProvider, versionCommand } from "./version.js";

const tempDir = useTempDirs();

beforeEach(() => {
  vi.stubEnv("SKIFF_AGENT", "");
  vi.stubEnv("SKIFF_TOKEN", "");
});
afterEach(() => vi.unstubAllEnvs());

async function repo(): Promise<{ dir: string; shas: string[] }> {
  const dir = await initRepo(tempDir());
  const shas = [
    await commit(dir, "feat: first", { "skiff.yml": "app: hello\nstart: node server.js\n" }),
    await commit(dir, "fix(api): second"),
    await commit(dir, "feat(ui): third"),
  ];
  return { dir, shas };
}

describe("skiff version", () => {
  it("--dry-run --json prints the next version and changelog and changes nothing", async () => {
    const { dir, shas } = await repo();
    await tag(dir, "v1.2.3", shas[0]);
    const run = await runCli(["version", dir, "--dry-run", "--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      version: "1.3.0",
      bump: "minor",
      base: { version: "1.2.3", sha: shas[0], source: "tag", tag: "v1.2.3" },
      head: shas[2],
      released: null,
    });
    expect(result.commits.map((c: { subject: string }) => c.subject)).toEqual(["third", "second"]);
    expect(result.changelog).toMatch(
      /^## v1\.3\.0 \(\d{4}-\d\d-\d\d\)\n\n### Features\n\n- \*\*ui:\*\* third/,
    );
    expect(existsSync(join(dir, "CHANGELOG.md"))).toBe(false);
    expect(await git(["tag"], { cwd: dir })).toBe("v1.2.3");
    expect(await git(["rev-parse", "HEAD"], { cwd: dir })).toBe(shas[2]);
  });

  it("prints for humans", async () => {
    const { dir } = await repo();
    const run = await runCli(["version", dir, "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("v0.1.0  first version from nothing: no deployed version and no vX.Y.Z tag");
    expect(run.stdout).toContain("3 commits up to");
    expect(run.stdout).toContain("### Fixes\n\n- **api:** second");
  });

  it("without --dry-run commits the changelog, tags it and pushes the tag", async () => {
    const { dir } = await repo();
    const remote = await initRepo(tempDir(), { bare: true });
    await git(["remote", "add", "origin", remote], { cwd: dir });
    const run = await runCli(["version", dir, "--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.released).toMatchObject({ tag: "v0.1.0", committed: true, pushedTo: "origin" });
    expect(await git(["rev-parse", "v0.1.0^{commit}"], { cwd: remote })).toBe(result.released.sha);
    expect(await git(["show", "v0.1.0:CHANGELOG.md"], { cwd: dir })).toContain("## v0.1.0");

    const again = JSON.parse((await runCli(["version", dir, "--json"])).stdout);
    expect(again).toMatchObject({ version: "0.1.0", bump: "none", released: null });
  });

  it("says when there is nothing to release", async () => {
    const { dir } = await repo();
    await tag(dir, "v2.0.0");
    const run = await runCli(["version", dir]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain("no changes since v2.0.0 (tag v2.0.0,");
    expect(await git(["tag"], { cwd: dir })).toBe("v2.0.0");
  });

  it("releases nothing for a feature and its revert, and says why", async () => {
    const { dir } = await repo();
    await tag(dir, "v2.0.0");
    const feat = await commit(dir, "feat(ui): dark mode", { "ui.txt": "dark" });
    await git(["revert", "--no-edit", feat], { cwd: dir });
    const run = await runCli(["version", dir]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain("no changes since v2.0.0 (tag v2.0.0, ");
    expect(run.stdout).toContain(
      "(2 commits left out: reverted in the same range, and their reverts); the version stays v2.0.0",
    );
    expect(await git(["tag"], { cwd: dir })).toBe("v2.0.0");
    expect(existsSync(join(dir, "CHANGELOG.md"))).toBe(false);
    const json = JSON.parse((await runCli(["version", dir, "--json"])).stdout);
    expect(json).toMatchObject({ bump: "none", commits: [], released: null });
    expect(json.reverted.map((c: { header: string }) => c.header)).toEqual([
      'Revert "feat(ui): dark mode"',
      "feat(ui): dark mode",
    ]);
  });

  it("counts from the agent's last deployed version when it can ask the agent", async () => {
    const { dir, shas } = await repo();
    await tag(dir, "v0.1.0", shas[0]);
    const asked: unknown[] = [];
    const lastDeployed: LastDeployedProvider = async (query) => {
      asked.push(query);
      return { version: "3.0.0", sha: shas[1]! };
    };
    const program = new Command().exitOverride();
    versionCommand({ lastDeployed })(program);
    const { stdout } = await captureOutput(() =>
      program.parseAsync(
        ["version", dir, "--dry-run", "--json", "--agent", "http://127.0.0.1:1", "--token", "t"],
        { from: "user" },
      ),
    );
    expect(asked).toEqual([{ app: "hello", agent: "http://127.0.0.1:1", token: "t" }]);
    expect(JSON.parse(stdout)).toMatchObject({
      version: "3.1.0",
      bump: "minor",
      base: { source: "agent", sha: shas[1] },
    });
  });

  it("asks the default agent without --agent, and counts from tags when it is not there", async () => {
    const { dir } = await repo();
    await tag(dir, "v1.0.0");
    const agents: string[] = [];
    const down: LastDeployedProvider = async ({ agent }) => {
      agents.push(agent);
      throw new AgentUnreachableError(`cannot reach the agent at ${agent}`);
    };
    const program = new Command().exitOverride();
    versionCommand({ lastDeployed: down })(program);
    const { stdout, stderr } = await captureOutput(() =>
      program.parseAsync(["version", dir, "--dry-run", "--json"], { from: "user" }),
    );
    expect(agents).toEqual([DEFAULT_AGENT]);
    expect(stderr).toContain(`cannot reach the agent at ${DEFAULT_AGENT}; counting from the last vX.Y.Z tag`);
    expect(JSON.parse(stdout)).toMatchObject({ base: { source: "tag", tag: "v1.0.0" } });
  });

  it("exits 3 when the default agent answers but refuses, rather than counting from tags", async () => {
    const { dir } = await repo();
    const program = new Command().exitOverride();
    versionCommand({
      lastDeployed: async () => {
        throw new AgentError("the agent refused the API token");
      },
    })(program);
    await expect(program.parseAsync(["version", dir, "--dry-run"], { from: "user" })).rejects.toThrow(
      "the agent refused the API token",
    );
  });

  it("exits 3 when it was told to ask an agent that cannot be reached", async () => {
    const { dir } = await repo();
    const run = await runCli(["version", dir, "--dry-run", "--agent", "http://127.0.0.1:1", "--token", "t"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("cannot reach the agent at http://127.0.0.1:1");
  });

  it("exits 2 outside a git repository", async () => {
    const run = await runCli(["version", tempDir(), "--json"]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.message).toContain("is not inside a git repository");
  });
});
