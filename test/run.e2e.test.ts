import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { RunView } from "../src/agent/api-types.js";
import { groupAlive } from "../src/runtime/process-group.js";
import { until } from "../src/test-support/wait.js";
import { BIN, deploy, type TestAgent, useAgents } from "./support/agent.js";
import { runSkiff } from "./support/cli.js";
import { createAppRepo } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const startAgent = useAgents();
const SECRET = "s3cret-value-for-run";

/** An agent with `runapp` live: its skiff.yml asks for a secret and storage. */
async function liveApp(): Promise<TestAgent> {
  const agent = await startAgent(join(tempDir(), "data"));
  await agent.client.json("PUT", "/v1/secrets/RUN_SECRET", { value: SECRET });
  const repo = createAppRepo(
    join(tempDir(), "repo"),
    "runapp",
    {},
    "secrets: [RUN_SECRET]\nenv: { GREETING: hi }\n",
  );
  const { result } = await deploy(agent.client, repo);
  expect(result.ok).toBe(true);
  return agent;
}

function flags(agent: TestAgent): string[] {
  return ["--app", "runapp", "--agent", agent.info.api, "--token", agent.agent.token];
}

/** `skiff run` as a real process, its output collected as it arrives. */
function startRun(
  agent: TestAgent,
  argv: string[],
): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BIN, "run", ...flags(agent), "--", ...argv], {
    env: { ...process.env, NO_COLOR: "1", SKIFF_AGENT: "", SKIFF_TOKEN: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function runs(agent: TestAgent): Promise<RunView[]> {
  return (await agent.client.json<{ runs: RunView[] }>("GET", "/v1/apps/runapp/runs")).runs;
}

describe("skiff run", () => {
  it("exits with the command's exit code, and records who ran what", async () => {
    const agent = await liveApp();
    const run = await runSkiff(["run", ...flags(agent), "--", "node", "-e", "process.exit(7)"]);
    expect(run.code).toBe(7);
    const [recorded] = await runs(agent);
    expect(recorded).toMatchObject({
      argv: ["node", "-e", "process.exit(7)"],
      exitCode: 7,
      ending: "exited",
      release: "r1",
      env: "production",
    });
    expect(recorded?.requestedBy).toBeTruthy();
    expect(recorded?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("runs in the live release with its environment, secrets and storage; argv as given, no shell", async () => {
    const agent = await liveApp();
    const script =
      "const e=process.env;console.log(JSON.stringify({cwd:process.cwd(),greeting:e.GREETING,secret:e.RUN_SECRET===process.argv[1],storage:e.SKIFF_STORAGE_DIR,token:e.SKIFF_TOKEN??null,arg:process.argv[2]}))";
    // The secret's value as an argument (someone pasted it) and a string a shell would expand.
    const run = await runSkiff(["run", ...flags(agent), "--", "node", "-e", script, SECRET, "$HOME;`id`"]);
    expect(run.code).toBe(0);
    const seen = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
    const dataDir = agent.agent.dataDir;
    expect(seen).toEqual({
      cwd: dataDir.releaseDir("runapp", "r1"),
      greeting: "hi",
      secret: true,
      storage: dataDir.storageDir("runapp", "production"),
      token: null,
      arg: "$HOME;`id`",
    });
    // Recorded without the secret's value.
    const [recorded] = await runs(agent);
    expect(JSON.stringify(recorded)).not.toContain(SECRET);
    expect(recorded?.argv[3]).toBe("[secret RUN_SECRET]");
    const list = await runSkiff(["runs", ...flags(agent)]);
    expect(list.stdout).toContain("[secret RUN_SECRET]");
    expect(list.stdout).not.toContain(SECRET);
  });

  it("streams output while the command runs", async () => {
    const agent = await liveApp();
    const go = join(tempDir(), "go");
    // Prints a first line, then waits for the test to create `go`: the second line can only come after
    // the test has seen the first, so the first must have been streamed, not buffered until the end.
    const script =
      "console.log('first');const t=setInterval(()=>{if(require('fs').existsSync(process.argv[1])){console.log('second');clearInterval(t)}},20)";
    const run = startRun(agent, ["node", "-e", script, go]);
    await until("the first line", () => run.stdout().includes("first"));
    expect(run.stdout()).not.toContain("second");
    expect(run.child.exitCode).toBe(null);
    writeFileSync(go, "");
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toBe("first\nsecond\n");
  });

  it("Ctrl-C stops the remote process and exits 130", async () => {
    const agent = await liveApp();
    const script = "console.log(process.pid);setInterval(()=>{},1000)";
    const run = startRun(agent, ["node", "-e", script]);
    const pid = Number(await until("the remote pid", () => /^(\d+)\n/.exec(run.stdout())?.[1]));
    expect(groupAlive(pid)).toBe(true);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    await until("the remote process group gone", () => !groupAlive(pid));
    const recorded = await until("the run recorded as ended", async () => {
      const [r] = await runs(agent);
      return r?.ending ? r : undefined;
    });
    expect(recorded).toMatchObject({ ending: "interrupted", exitCode: 130, signal: "SIGINT" });
  });

  it("127 for a command that does not exist, 125 when there is no live release or no agent", async () => {
    const agent = await liveApp();
    const missing = await runSkiff(["run", ...flags(agent), "--", "no-such-command-11b"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("no-such-command-11b: command not found");

    const none = await runSkiff(["run", ...flags(agent), "--env", "staging", "--", "true"]);
    expect(none.code).toBe(125);
    expect(none.stderr).toContain("runapp has no live release in staging");

    const unreachable = await runSkiff([
      "run",
      "--app",
      "runapp",
      "--agent",
      "http://127.0.0.1:1",
      "--",
      "true",
    ]);
    expect(unreachable.code).toBe(125);
    expect(unreachable.stderr).toContain("cannot reach the agent");
  });
});
