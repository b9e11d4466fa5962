import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { runPreflight } from "./run.js";
import { fakeGithubToken } from "./test-support/fakes.js";
import { makeRepo, useTempDirs, writeFiles } from "./test-support/temp-repo.js";

const tempDir = useTempDirs();
const log = ["console", "log("].join(".");
const todo = ["TO", "DO:"].join("");

describe("runPreflight", () => {
  it("works without skiff.yml, and outside git (content checks only)", async () => {
    const dir = tempDir();
    writeFiles(dir, { "app.js": `${log}"hi");\n`, "node_modules/x/index.js": `${log}"dep");\n` });
    const report = await runPreflight(dir);
    expect(report.findings.map((f) => [f.rule, f.file])).toEqual([["js-console-log", "app.js"]]);
    expect(report.summary.checks.git.ran).toBe(true);
  });

  it("follows skiff.yml: warn-only checks, blocking TODOs, ignore paths, custom patterns", async () => {
    const internal = `itk_${"a1B2c3D4e5F6g7H8"}`;
    const dir = makeRepo(tempDir, {
      "skiff.yml": [
        "app: demo",
        "start: node server.js",
        "preflight:",
        "  checks:",
        "    debug: warn",
        "    env: off",
        "  todo: block",
        "  ignore: [vendor/]",
        "  patterns:",
        "    - id: internal-token",
        '      regex: "itk_[A-Za-z0-9]{16}"',
        "      keywords: [itk_]",
        "      message: Internal service token",
      ].join("\n"),
      "src/a.ts": `${log}"x");\n// ${todo} remove\nconst t = "${internal}";\n`,
      "vendor/lib.js": `${log}"vendored");\n`,
    });
    const report = await runPreflight(dir, { only: ["debug", "secrets"] });
    expect(report.findings.map((f) => [f.check, f.rule, f.severity, f.line])).toEqual([
      ["debug", "js-console-log", "warning", 1],
      ["debug", "todo-comment", "warning", 2],
      ["secrets", "internal-token", "error", 3],
    ]);
    expect(JSON.stringify(report)).not.toContain(internal);
    expect(report.summary.skipped.ignored).toBe(1);
  });

  it("skips checks turned off unless --only names them", async () => {
    const dir = makeRepo(tempDir, {
      "skiff.yml": "app: demo\nstart: node s.js\npreflight:\n  checks:\n    secrets: off\n",
      "a.js": `const t = "${fakeGithubToken()}";\n`,
    });
    expect((await runPreflight(dir)).summary.checks.secrets.ran).toBe(false);
    expect((await runPreflight(dir, { only: ["secrets"] })).findings).toHaveLength(1);
  });

  it("blocks a deploy from a dirty tree unless allowDirty", async () => {
    const dir = makeRepo(tempDir, { "a.txt": "x\n" });
    writeFiles(dir, { "a.txt": "y\n" });
    expect((await runPreflight(dir, { only: ["git"] })).blocking).toBe(false);
    expect((await runPreflight(dir, { only: ["git"], forDeploy: true })).blocking).toBe(true);
    expect((await runPreflight(dir, { only: ["git"], forDeploy: true, allowDirty: true })).blocking).toBe(
      false,
    );
  });

  it("rejects an invalid preflight section with the key path", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "skiff.yml":
        "app: demo\nstart: x\npreflight:\n  todo: later\n  patterns:\n    - id: x\n      regex: '(unclosed'\n  ignor: []\n",
    });
    const error = await runPreflight(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      "preflight.todo: expected warn or block",
      "preflight.patterns.0.regex: expected a valid JavaScript regular expression",
      "preflight.ignor: unknown key (did you mean ignore?)",
    ]);
  });
});
