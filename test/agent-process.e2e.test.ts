import { spawnSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { StatusView } from "../src/agent/api-types.js";
import { AgentClient } from "../src/cli/client.js";
import { until } from "../src/test-support/wait.js";
import { BIN, deploy, get, useAgentProcesses, version } from "./support/agent.js";
import { commitFiles, createAppRepo, testConfig } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
// Unique per run: the tests count processes by app name across the whole machine.
const survivor = `survivor-${process.pid}`;
const graceful = `graceful-${process.pid}`;
const guarded = `guarded-${process.pid}`;
const builder = `builder-${process.pid}`;
const startAgentProcess = useAgentProcesses();

/** Processes running an instance of `app`, found by the environment skiff gives every instance. */
function appProcesses(app: string): number[] {
  const groups = new Set<number>();
  for (const name of readdirProc()) {
    try {
      const environ = readFileSync(`/proc/${name}/environ`, "latin1").split("\0");
      if (environ.includes(`SKIFF_APP=${app}`)) groups.add(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return [...groups];
}

/** Processes whose command line mentions `word`. */
function processesMentioning(word: string): number[] {
  const found: number[] = [];
  for (const name of readdirProc()) {
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "latin1").includes(word)) found.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readdirProc(): string[] {
  return readdirSync("/proc").filter((n) => /^\d+$/.test(n));
}

// Each test starts one or two agent processes (and their apps) and stops them: minutes, not seconds,
// when the machine's cores are busy with other work.
describe("the agent process", { timeout: 180_000 }, () => {
  it("creates skiff.db, its -wal and -shm, and agent.json 0600 in a data directory that is 0755", async () => {
    const dataDir = tempDir();
    chmodSync(dataDir, 0o755);
    // The usual umask, which leaves new files world-readable unless the agent says otherwise.
    const umask = process.umask(0o022);
    try {
      await startAgentProcess(dataDir);
    } finally {
      process.umask(umask);
    }
    const modes = Object.fromEntries(
      ["skiff.db", "skiff.db-wal", "skiff.db-shm", "agent.json", "token"].map((f) => [
        f,
        (statSync(join(dataDir, f)).mode & 0o777).toString(8),
      ]),
    );
    expect(modes).toEqual({
      "skiff.db": "600",
      "skiff.db-wal": "600",
      "skiff.db-shm": "600",
      "agent.json": "600",
      token: "600",
    });
  });

  it("applies its slow-client flags to the proxy and shows the pool and the clients cut off in /metrics", async () => {
    const agent = await startAgentProcess(tempDir(), { args: ["--header-timeout", "500ms"] });
    const client = new AgentClient(agent.info.api, agent.token);
    const repo = createAppRepo(join(tempDir(), "app"), `limits-${process.pid}`, { version: "v1" });
    await deploy(client, repo);
    const slow = connect(Number(new URL(agent.info.proxy).port), "127.0.0.1");
    onTestFinished(() => {
      slow.destroy();
    });
    const answer = new Promise<string>((resolve) => {
      let text = "";
      slow.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      slow.on("close", () => resolve(text));
    });
    slow.write("GET / HTTP/1.1\r\nHost: a\r\n");
    expect(await answer).toMatch(/^HTTP\/1.1 408 Request Timeout\r\n/);
    const res = await client.send("GET", "/metrics");
    let metrics = "";
    for await (const chunk of res as AsyncIterable<Buffer>) metrics += chunk.toString();
    expect(metrics).toContain('skiff_proxy_slow_clients_total{reason="head"} 1');
    expect(metrics).toMatch(
      /skiff_upstream_connections_max\{app="limits-\d+",env="production",release="r1"\} 128/,
    );
  });

  it("creates its token with mode 0600 and refuses a wrong or missing token with 401 and no effect", async () => {
    const dataDir = tempDir();
    const agent = await startAgentProcess(dataDir);
    expect(statSync(join(dataDir, "token")).mode & 0o777).toBe(0o600);
    expect(agent.output()).toContain(`API token written to ${join(dataDir, "token")}`);
    for (const token of ["", "wrong-token"]) {
      const res = await fetch(`${agent.info.api}/v1/apps/hello/rollback`, {
        method: "POST",
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        error: { message: "missing or wrong API token", exitCode: 3 },
      });
    }
    const status = await new AgentClient(agent.info.api, agent.token).json<StatusView>("GET", "/v1/status");
    expect(status.apps).toEqual([]);
  });

  it("refuses to start a second agent on a data directory in use, leaving the first one's apps alone", async () => {
    const dataDir = tempDir();
    const first = await startAgentProcess(dataDir);
    const repo = createAppRepo(join(tempDir(), "app"), guarded, { version: "v1" });
    await deploy(new AgentClient(first.info.api, first.token), repo);
    const before = appProcesses(guarded);
    // Bounded: were the refusal to regress, this agent is stopped after 20 s rather than left behind.
    const second = spawnSync(
      process.execPath,
      [BIN, "agent", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0"],
      { encoding: "utf8", timeout: 20_000, killSignal: "SIGTERM" },
    );
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(
      `--data-dir ${dataDir}: another skiff agent (pid ${first.child.pid}) is using it`,
    );
    expect(appProcesses(guarded)).toEqual(before);
    expect(await version(first.info.proxy)).toBe("v1");
    // The running agent's files are its own: the refused one removed neither.
    expect(JSON.parse(readFileSync(join(dataDir, "agent.json"), "utf8")).pid).toBe(first.child.pid);
    expect(readFileSync(join(dataDir, "agent.lock"), "utf8").trim()).toBe(String(first.child.pid));
  });

  it("after kill -9, adopts the live release's process and stops what no live release runs (a deploy cut short)", async () => {
    const dataDir = tempDir();
    const first = await startAgentProcess(dataDir);
    const repo = createAppRepo(join(tempDir(), "app"), survivor, { version: "v1" });
    await deploy(new AgentClient(first.info.api, first.token), repo);
    const live = appProcesses(survivor);
    expect(live).toHaveLength(1);
    // v2 never listens: its deploy waits in the health gate (60s) while the agent is killed.
    commitFiles(
      repo,
      {
        "skiff.yml": testConfig(survivor).replace("deploy_timeout: 5s", "deploy_timeout: 60s"),
        "behaviour.json": JSON.stringify({ version: "v2", listenDelayMs: 120_000 }),
      },
      "feat: v2 that never gets healthy",
    );
    const deploying = deploy(new AgentClient(first.info.api, first.token), repo).catch((e: unknown) => e);
    await until("v2's process to run", () => appProcesses(survivor).length === 2);
    const orphans = appProcesses(survivor);
    await first.stop("SIGKILL");
    await deploying;

    const second = await startAgentProcess(dataDir);
    expect(second.output()).toMatch(/stopped a process left behind by an earlier agent/);
    expect(second.output()).toMatch(/r1 adopted: its processes kept running/);
    expect(await version(second.info.proxy)).toBe("v1");
    expect(appProcesses(survivor)).toEqual(live);
    expect(orphans.filter((pid) => !live.includes(pid)).filter(alive)).toEqual([]);
    const status = await new AgentClient(second.info.api, second.token).json<StatusView>("GET", "/v1/status");
    expect(status.apps[0]?.live?.id).toBe("r1");
    expect(status.apps[0]?.instances[0]?.pid).toBe(live[0]);
  });

  // The build, and the release command (a migration), are one-shot tasks marked the same way.
  it.each([
    ["build", "build"],
    ["release command", "release"],
  ])("after kill -9 during a %s, stops what the dead agent left running", async (_what, key) => {
    const dataDir = tempDir();
    const first = await startAgentProcess(dataDir);
    // A word unique to this run, to find the command's processes among everything on the machine.
    const word = `${key}-late-${process.pid}`;
    // Were the recovery to regress, the build must not outlive the test either.
    onTestFinished(() => {
      for (const pid of processesMentioning(word)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    });
    const repo = createAppRepo(
      join(tempDir(), "app"),
      builder,
      { version: "v1" },
      `${key}: sleep 60; touch ${word}\n`,
    );
    const deploying = deploy(new AgentClient(first.info.api, first.token), repo).catch((e: unknown) => e);
    await vi.waitFor(() => expect(processesMentioning(word).length).toBeGreaterThan(0), { timeout: 20_000 });
    const build = processesMentioning(word);
    await first.stop("SIGKILL");
    await deploying;
    expect(build.filter(alive)).toEqual(build);

    const second = await startAgentProcess(dataDir);
    expect(second.output()).toMatch(/stopped a process left behind by an earlier agent/);
    expect(build.filter(alive)).toEqual([]);
    const { releases } = await new AgentClient(second.info.api, second.token).json<{
      releases: Array<{ status: string; reason: string }>;
    }>("GET", `/v1/apps/${builder}/releases`);
    expect(releases[0]).toMatchObject({ status: "failed", reason: "the agent stopped during this deploy" });
  });

  it("on SIGTERM lets an in-flight request finish, stops the apps and exits 0", async () => {
    const dataDir = tempDir();
    const agent = await startAgentProcess(dataDir);
    const repo = createAppRepo(join(tempDir(), "app"), graceful, { version: "v1" });
    const client = new AgentClient(agent.info.api, agent.token);
    await deploy(client, repo);
    expect(appProcesses(graceful)).toHaveLength(1);
    // Long enough that the status poll below sees it in flight even on a loaded machine.
    const slow = get(`${agent.info.proxy}/slow?ms=3000`);
    // SIGTERM only once the request is in flight at the proxy, as the agent counts it.
    await until("the slow request to be in flight", async () => {
      const status = await client.json<StatusView>("GET", "/v1/status");
      return (status.apps[0]?.traffic?.inflight ?? 0) > 0;
    });
    const exit = agent.stop("SIGTERM");
    const answered = await slow;
    expect(answered).toMatchObject({ status: 200, body: "v1 slow\n" });
    expect(await exit).toBe(0);
    expect(appProcesses(graceful)).toEqual([]);
    expect(agent.output()).toMatch(/skiff agent stopped/);
  });
});
