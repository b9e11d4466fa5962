import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import AjvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { maskSecret } from "./secrets/mask.js";
import { fakeGithubToken, fakeSecret } from "./test-support/fakes.js";
import { commitAll, gitIn, makeRepo, useTempDirs, writeFiles } from "./test-support/temp-repo.js";

/** These tests run the built CLI (`npm run build` first; `npm test` does it). */
const BIN = fileURLToPath(new URL("../../bin/skiff.js", import.meta.url));
const tempDir = useTempDirs();

function skiff(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url)))) {
    throw new Error("dist/ is missing: run `npm run build` before the e2e tests");
  }
});

describe("skiff preflight exit codes and output", () => {
  it("exits 0 on a clean repository", () => {
    const dir = makeRepo(tempDir, { "src/app.ts": "export const answer = 42;\n", ".gitignore": ".env\n" });
    const run = skiff(dir, "preflight", ".");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("nothing blocking");
  });

  it("exits 1 on a leaked token, shows it masked and never in full", () => {
    const token = fakeGithubToken();
    const dir = makeRepo(tempDir, { "src/config.ts": `export const token = "${token}";\n` });
    const human = skiff(dir, "preflight", ".", "--only", "secrets");
    expect(human.code).toBe(1);
    expect(human.stdout).toContain("src/config.ts:1:23");
    expect(human.stdout).toContain(maskSecret(token));
    expect(human.stdout + human.stderr).not.toContain(token);

    const json = skiff(dir, "preflight", ".", "--only", "secrets", "--json");
    expect(json.code).toBe(1);
    expect(json.stdout).not.toContain(token);
    const doc = JSON.parse(json.stdout) as {
      findings: Array<Record<string, unknown>>;
      summary: Record<string, unknown>;
      durationMs: number;
    };
    expect(doc.findings).toHaveLength(1);
    expect(doc.findings[0]).toMatchObject({
      check: "secrets",
      rule: "github-pat",
      severity: "error",
      file: "src/config.ts",
      line: 1,
      column: 23,
      message: expect.stringContaining(maskSecret(token)),
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(doc.summary).toMatchObject({ ok: false, blocking: 1, filesScanned: 1 });
    expect(typeof doc.durationMs).toBe("number");
  });

  it("exits 2 on a bad flag, a missing directory or an invalid skiff.yml", () => {
    const dir = makeRepo(tempDir, { "a.txt": "x\n" });
    const badCheck = skiff(dir, "preflight", ".", "--only", "debug,bogus");
    expect(badCheck.code).toBe(2);
    expect(badCheck.stderr).toContain('--only: unknown check "bogus"');
    expect(skiff(dir, "preflight", "--no-such-flag").code).toBe(2);
    const missing = skiff(dir, "preflight", "does-not-exist");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does-not-exist: no such directory");
    writeFiles(dir, {
      "skiff.yml": "app: hello\nstart: node server.js\npreflight:\n  checks:\n    debug: sometimes\n",
    });
    const config = skiff(dir, "preflight", ".");
    expect(config.code).toBe(2);
    expect(config.stderr).toContain("preflight.checks.debug: expected block, warn or off");
  });

  it("reports uncommitted changes as a warning, not a block", () => {
    const dir = makeRepo(tempDir, { "a.txt": "x\n", ".gitignore": ".env\n" });
    writeFiles(dir, { "b.txt": "new\n" });
    const run = skiff(dir, "preflight", ".", "--only", "git", "--json");
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { findings: Array<{ rule: string; severity: string }> };
    expect(doc.findings).toEqual([
      expect.objectContaining({ rule: "uncommitted-changes", severity: "warning" }),
    ]);
  });

  it("uses worker threads on a large tree and still finds the one secret", () => {
    const dir = tempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 2500; i++) files[`pkg/f${i}.js`] = `export const v${i} = ${i};\n`;
    const token = fakeGithubToken(9);
    files["pkg/f1234.js"] = `export const t = "${token}";\n`;
    writeFiles(dir, files);
    const run = skiff(dir, "preflight", ".", "--only", "secrets", "--json");
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as {
      findings: Array<{ file: string }>;
      summary: { filesScanned: number };
    };
    expect(doc.summary.filesScanned).toBe(2500);
    expect(doc.findings.map((f) => f.file)).toEqual(["pkg/f1234.js"]);
  });
});

describe("SARIF", () => {
  it("writes SARIF 2.1.0 that validates against the official schema, with secrets masked", () => {
    const token = fakeGithubToken();
    const stripe = fakeSecret("stripe-secret-key").value;
    const dir = makeRepo(tempDir, { "src/a.ts": `const a = "${token}";\nconst b = "${stripe}";\n` });
    const sarifFile = join(dir, "out.sarif");
    const run = skiff(dir, "preflight", ".", "--only", "secrets", "--sarif", sarifFile);
    expect(run.code).toBe(1);
    const text = readFileSync(sarifFile, "utf8");
    expect(text).not.toContain(token);
    expect(text).not.toContain(stripe);
    const sarif = JSON.parse(text) as {
      version: string;
      runs: Array<{ results: Array<{ ruleId: string }> }>;
    };
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(
      readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
    );
    // The published schema has a pattern that is only valid without the `u` flag.
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
    ajvFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0]!.results.map((r) => r.ruleId).sort()).toEqual(["github-pat", "stripe-secret-key"]);
  });
});

describe("allowing findings", () => {
  it("skips lines marked skiff:allow", () => {
    const token = fakeGithubToken();
    const dir = makeRepo(tempDir, {
      "test/fixture.ts": `export const t = "${token}"; // skiff:allow -- fake for tests\n`,
    });
    const run = skiff(dir, "preflight", ".", "--only", "secrets", "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary.allowed.inline).toBe(1);
  });

  it("skips paths listed in .skiffignore", () => {
    const token = fakeGithubToken();
    const dir = makeRepo(tempDir, { "fixtures/keys.txt": `${token}\n`, ".skiffignore": "fixtures/\n" });
    const run = skiff(dir, "preflight", ".", "--only", "secrets", "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary.skipped.ignored).toBe(1);
  });

  it("writes a baseline of fingerprints (no secrets in it) and honours it", () => {
    const token = fakeGithubToken();
    const dir = makeRepo(tempDir, { "legacy.js": `var t = "${token}";\n` });
    const written = skiff(dir, "preflight", ".", "--only", "secrets", "--write-baseline", "baseline.json");
    expect(written.code).toBe(0);
    expect(written.stdout).toContain("wrote 1 fingerprint");
    const baseline = readFileSync(join(dir, "baseline.json"), "utf8");
    expect(baseline).not.toContain(token);
    expect(baseline).not.toContain(maskSecret(token));
    const run = skiff(dir, "preflight", ".", "--only", "secrets", "--baseline", "baseline.json", "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary.allowed.baseline).toBe(1);
    // A new secret is still reported.
    writeFiles(dir, { "new.js": `var u = "${fakeGithubToken(77)}";\n` });
    expect(skiff(dir, "preflight", ".", "--only", "secrets", "--baseline", "baseline.json").code).toBe(1);
  });

  it("rejects a malformed baseline with exit 2", () => {
    const dir = makeRepo(tempDir, { "a.txt": "x\n", "b.json": '{"version": 2}' });
    const run = skiff(dir, "preflight", ".", "--only", "secrets", "--baseline", "b.json");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--baseline b.json");
  });
});

describe("history and staged scans", () => {
  it("--history finds a secret committed and later deleted, with its commit", () => {
    const token = fakeGithubToken();
    const dir = makeRepo(tempDir, { "README.md": "# app\n" });
    writeFiles(dir, { "deploy.sh": `export GH=1\nexport TOKEN_VALUE=${token}\n` });
    const added = commitAll(dir, "add deploy script");
    gitIn(dir, "rm", "-q", "deploy.sh");
    commitAll(dir, "remove deploy script");
    expect(skiff(dir, "preflight", ".", "--only", "secrets").code).toBe(0);
    const run = skiff(dir, "preflight", ".", "--only", "secrets", "--history", "--json");
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain(token);
    const doc = JSON.parse(run.stdout) as {
      findings: Array<Record<string, unknown>>;
      summary: { commitsScanned: number };
    };
    expect(doc.findings).toEqual([
      expect.objectContaining({ rule: "github-pat", file: "deploy.sh", line: 2, commit: added }),
    ]);
    expect(doc.summary.commitsScanned).toBe(3);
  });

  it("--staged scans what is staged, not the work tree", () => {
    const token = fakeGithubToken();
    const dir = makeRepo(tempDir, { "a.txt": "x\n" });
    writeFiles(dir, { "config.js": `module.exports = "${token}";\n` });
    gitIn(dir, "add", "config.js");
    writeFiles(dir, { "config.js": "module.exports = process.env.TOKEN;\n" });
    expect(skiff(dir, "preflight", ".", "--only", "secrets").code).toBe(0);
    const staged = skiff(dir, "preflight", ".", "--only", "secrets", "--staged", "--json");
    expect(staged.code).toBe(1);
    expect(JSON.parse(staged.stdout).findings[0].file).toBe("config.js");
  });
});

describe("skiff hooks", () => {
  it("installs into an existing pre-push hook and uninstall leaves it byte for byte", () => {
    const dir = makeRepo(tempDir, { "a.txt": "x\n" });
    const hook = join(dir, ".git", "hooks", "pre-push");
    const original = '#!/bin/sh\n# the team\'s own check\necho "pushing $1"\nexit 0\n';
    writeFileSync(hook, original, { mode: 0o755 });
    expect(skiff(dir, "hooks", "install").code).toBe(0);
    const installed = readFileSync(hook, "utf8");
    expect(installed.startsWith("#!/bin/sh\n# >>> skiff preflight")).toBe(true);
    expect(installed).toContain(original.slice("#!/bin/sh\n".length));
    expect(skiff(dir, "hooks", "install").code).toBe(0);
    expect(readFileSync(hook, "utf8")).toBe(installed);
    expect(skiff(dir, "hooks", "uninstall").code).toBe(0);
    expect(readFileSync(hook, "utf8")).toBe(original);
  });

  it("creates the hook when there is none and removes the file on uninstall", () => {
    const dir = makeRepo(tempDir, { "a.txt": "x\n" });
    const hook = join(dir, ".git", "hooks", "pre-push");
    expect(skiff(dir, "hooks", "install").code).toBe(0);
    expect(statSync(hook).mode & 0o111).not.toBe(0);
    expect(skiff(dir, "hooks", "uninstall").code).toBe(0);
    expect(existsSync(hook)).toBe(false);
    const again = skiff(dir, "hooks", "uninstall");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to remove");
  });

  it("stops a real push that carries a secret, and lets a clean one through", () => {
    const remote = tempDir();
    gitIn(remote, "init", "-q", "--bare");
    const dir = makeRepo(tempDir, { "a.txt": "x\n", ".gitignore": ".env\n" });
    gitIn(dir, "remote", "add", "origin", remote);
    expect(skiff(dir, "hooks", "install").code).toBe(0);
    writeFiles(dir, { "leak.js": `const t = "${fakeGithubToken()}";\n` });
    commitAll(dir, "oops");
    const blocked = spawnSync("git", ["push", "-q", "origin", "main"], { cwd: dir, encoding: "utf8" });
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain("push stopped");
    gitIn(dir, "rm", "-q", "leak.js");
    commitAll(dir, "remove the leak");
    const pushed = spawnSync("git", ["push", "-q", "origin", "main"], { cwd: dir, encoding: "utf8" });
    expect(pushed.status, pushed.stdout + pushed.stderr).toBe(0);
  });
});
