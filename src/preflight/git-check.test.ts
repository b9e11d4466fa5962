import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkGit } from "./git-check.js";
import { runPreflight } from "./run.js";
import { commitAll, makeRepo, useTempDirs, writeFiles } from "./test-support/temp-repo.js";

const tempDir = useTempDirs();
const base = { forDeploy: false, allowDirty: false, staged: false };

describe("checkGit", () => {
  it("warns about uncommitted changes, and blocks them for a deploy unless allowed", async () => {
    const root = makeRepo(tempDir, { "a.txt": "x\n" });
    writeFiles(root, { "a.txt": "changed\n" });
    const warn = await checkGit({ root, ...base });
    expect(warn.map((f) => [f.rule, f.severity, f.file])).toEqual([
      ["uncommitted-changes", "warning", "a.txt"],
    ]);
    const deploy = await checkGit({ root, ...base, forDeploy: true });
    expect(deploy.map((f) => f.severity)).toEqual(["error"]);
    expect(await checkGit({ root, ...base, forDeploy: true, allowDirty: true })).toEqual([
      expect.objectContaining({ severity: "warning" }),
    ]);
  });

  it("is quiet on a clean tree and in --staged mode", async () => {
    const root = makeRepo(tempDir, { "a.txt": "x\n" });
    expect(await checkGit({ root, ...base })).toEqual([]);
    writeFiles(root, { "a.txt": "changed\n" });
    expect(await checkGit({ root, ...base, staged: true })).toEqual([]);
  });

  it("warns about newly added files over 5 MB", async () => {
    const root = makeRepo(tempDir, { "a.txt": "x\n" });
    mkdirSync(join(root, "data"));
    writeFileSync(join(root, "data/dump.bin"), Buffer.alloc(6 * 1024 * 1024, 1));
    writeFileSync(join(root, "small.bin"), Buffer.alloc(1024, 1));
    commitAll(root, "add data");
    const findings = await checkGit({ root, ...base });
    expect(findings.map((f) => [f.rule, f.file, f.message])).toEqual([
      ["large-file", "data/dump.bin", "data/dump.bin is 6.0 MB and newly added (over 5 MB)"],
    ]);
  });
});

describe("conflict markers (git check, found by the content scan)", () => {
  it("reports markers at the start of a line in tracked files", async () => {
    const marker = (c: string) => c.repeat(7);
    const root = makeRepo(tempDir, {
      "src/a.ts": `const a = 1;\n${marker("<")} HEAD\nconst b = 2;\n${marker("=")}\nconst b = 3;\n${marker(">")} feature\n`,
      "docs/diff.md": `Text with ${marker("<")} inside a line is fine.\n`,
    });
    const report = await runPreflight(root, { only: ["git"] });
    expect(report.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ["conflict-marker", "src/a.ts", 2],
      ["conflict-marker", "src/a.ts", 6],
    ]);
    expect(report.blocking).toBe(true);
  });
});
