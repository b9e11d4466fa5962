import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandFinding, resolveCommands, runCommand } from "./commands.js";
import { runPreflight } from "./run.js";
import { useTempDirs, writeFiles } from "./test-support/temp-repo.js";

const tempDir = useTempDirs();

/** Running, and not a zombie waiting for a parent that does not reap (as PID 1 in a container may). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] !== "Z";
  } catch {
    return true;
  }
}

describe("resolveCommands", () => {
  it("defaults to the lint, typecheck and test scripts that package.json has", () => {
    const root = tempDir();
    writeFiles(root, {
      "package.json": JSON.stringify(
        { scripts: { build: "tsc", test: "vitest run", lint: "biome check ." } },
        null,
        2,
      ),
    });
    expect(resolveCommands(root, undefined).map((c) => [c.name, c.run, c.file, c.line])).toEqual([
      ["lint", "npm run lint", "package.json", 5],
      ["test", "npm run test", "package.json", 4],
    ]);
  });

  it("has nothing to run without package.json or configured commands", () => {
    expect(resolveCommands(tempDir(), undefined)).toEqual([]);
  });
});

describe("runCommand", () => {
  it("keeps the last 30 lines of a failing command, with its exit code and duration", async () => {
    const root = tempDir();
    const spec = {
      name: "test",
      run: "i=1; while [ $i -le 50 ]; do echo line $i; i=$((i+1)); done; echo oops >&2; sleep 0.2; exit 3",
      file: "skiff.yml",
      line: 1,
    };
    const result = await runCommand(spec, root, 10_000);
    expect(result).toMatchObject({ ok: false, exitCode: 3, timedOut: false });
    expect(result.tail).toHaveLength(30);
    expect(result.tail[0]).toBe("line 22");
    expect(result.tail.at(-1)).toBe("oops");
    // It slept 200 ms before exiting: a duration below that was not measured from the start.
    expect(result.durationMs).toBeGreaterThanOrEqual(200);
    expect(commandFinding(spec, result)).toMatchObject({
      check: "commands",
      severity: "error",
      details: result.tail,
    });
  });

  it("stops a command that runs past its timeout, children included", async () => {
    const root = tempDir();
    const spec = { name: "slow", run: "sleep 30 & echo $! > child.pid; wait", file: "skiff.yml", line: 1 };
    const result = await runCommand(spec, root, 300);
    expect(result).toMatchObject({ ok: false, timedOut: true });
    const child = Number(readFileSync(join(root, "child.pid"), "utf8"));
    // runCommand resolves once the whole group is gone.
    expect(alive(child)).toBe(false);
  });

  it("stops what a command left running in the background when it exits", async () => {
    const root = tempDir();
    const spec = {
      name: "leaky",
      run: "sleep 30 >/dev/null 2>&1 & echo $! > child.pid; echo done",
      file: "skiff.yml",
      line: 1,
    };
    const result = await runCommand(spec, root, 10_000);
    expect(result).toMatchObject({ ok: true, exitCode: 0, timedOut: false, tail: ["done"] });
    const child = Number(readFileSync(join(root, "child.pid"), "utf8"));
    expect(child).toBeGreaterThan(0);
    expect(alive(child)).toBe(false);
  });
});

describe("the commands check", () => {
  it("runs commands in parallel: each waits for the other to have started", async () => {
    const root = tempDir();
    const waitFor = (mine: string, other: string) =>
      `touch ${mine}; n=0; while [ ! -f ${other} ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n+1)); done; [ -f ${other} ]`;
    writeFiles(root, {
      "skiff.yml": [
        "app: demo",
        "start: node server.js",
        "preflight:",
        "  commands:",
        `    first: "${waitFor("a", "b")}"`,
        `    second: "${waitFor("b", "a")}"`,
        "    failing: exit 7",
      ].join("\n"),
    });
    const report = await runPreflight(root, { only: ["commands"] });
    expect(report.commands.map((c) => [c.name, c.ok, c.exitCode])).toEqual([
      ["first", true, 0],
      ["second", true, 0],
      ["failing", false, 7],
    ]);
    expect(report.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ["command-failed", "skiff.yml", 7],
    ]);
    expect(report.blocking).toBe(true);
  });
});
