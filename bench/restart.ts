// npm run bench:restart: what an agent restart costs the visitors of an app behind it. The same load
// (keep-alive and fresh connections, two 1.5 s requests always in flight; src: support/restart-load.ts)
// runs through each way of restarting, and through `nginx -s reload` of an nginx in front of the same app.
// Prints failed requests and the longest time without a successful answer. Everything on 127.0.0.1,
// bounded, stopped by pid, in a temp dir removed at the end.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentInfo } from "../src/agent/agent.js";
import { spawnAgent } from "../src/agent/spawn.js";
import { archive, deployMeta, readAppSource } from "../src/cli/app-source.js";
import { AgentClient } from "../src/cli/client.js";
import { freePort } from "../src/runtime/ports.js";
import { findNginx, startNginx } from "./support/nginx.js";
import { Processes } from "./support/processes.js";
import { RestartLoad, type RestartLoadResult } from "./support/restart-load.js";
import { SocketHolder } from "./support/socket-holder.js";

const RESTARTS = 3;
const APP = "restart-bench";
const SKIFF_BIN = new URL("../../../bin/skiff.js", import.meta.url).pathname;
const FIXTURE = new URL("../../../test/fixtures/app/server.mjs", import.meta.url);

const root = mkdtempSync(join(tmpdir(), "skiff-bench-restart-"));
const processes = new Processes();
const rows: Array<[string, RestartLoadResult, string]> = [];

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function appRepo(): string {
  const dir = join(root, "app");
  mkdirSync(dir, { recursive: true });
  copyFileSync(FIXTURE, join(dir, "server.mjs"));
  writeFileSync(join(dir, "behaviour.json"), JSON.stringify({ version: "v1" }));
  writeFileSync(
    join(dir, "skiff.yml"),
    `app: ${APP}\nstart: node server.mjs\nhealthcheck:\n  path: /health\n  interval: 200ms\n  healthy_threshold: 1\n`,
  );
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "b",
        GIT_AUTHOR_EMAIL: "b@b",
        GIT_COMMITTER_NAME: "b",
        GIT_COMMITTER_EMAIL: "b@b",
      },
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "v1");
  return dir;
}

async function deployTo(info: AgentInfo, dataDir: string, repo: string): Promise<void> {
  const client = new AgentClient(info.api, readFileSync(join(dataDir, "token"), "utf8").trim());
  const source = await readAppSource(repo);
  await client.deploy(APP, await archive(source), deployMeta(source, "bench"), {}, () => undefined);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function agentJson(dataDir: string): AgentInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, "agent.json"), "utf8")) as AgentInfo;
  } catch {
    return undefined;
  }
}

async function waitFor<T>(check: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 12_000; i++) {
    const value = check();
    if (value) return value;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs `restart` RESTARTS times under the load, a second of load between them. */
async function measure(name: string, url: string, restart: () => Promise<void>, note = ""): Promise<void> {
  const load = new RestartLoad({ url, maxSeconds: 120 });
  await load.warmedUp;
  for (let i = 0; i < RESTARTS; i++) {
    await sleep(1000);
    await restart();
  }
  await sleep(1000);
  const result = await load.stop();
  rows.push([name, result, note]);
  out(
    `${name}: ${result.requests} requests, ${result.failed} failed (${result.failures}), longest gap ${Math.round(result.longestGapMs)} ms ${note}`,
  );
}

async function sighup(repo: string): Promise<void> {
  const dataDir = join(root, "hup");
  const first = await spawnAgent(dataDir, { bin: SKIFF_BIN, timeoutMs: 60_000 });
  await deployTo(first.info, dataDir, repo);
  await measure(`SIGHUP (reload) x${RESTARTS}`, first.info.proxy, async () => {
    const before = agentJson(dataDir)!.pid;
    process.kill(before, "SIGHUP");
    await waitFor(() => agentJson(dataDir)?.pid !== before, "the new agent");
  });
  const last = agentJson(dataDir)!.pid;
  process.kill(last, "SIGTERM");
  await waitFor(() => !alive(last), "the agent to stop");
}

async function activated(repo: string): Promise<void> {
  const dataDir = join(root, "activated");
  const { holder, proxy } = await SocketHolder.start(join(root, "activated.log"));
  const start = async () => {
    const pid = await holder.run([
      process.execPath,
      SKIFF_BIN,
      "agent",
      "--data-dir",
      dataDir,
      "--keep-apps",
    ]);
    return waitFor(() => agentJson(dataDir)?.pid === pid && agentJson(dataDir), "the agent");
  };
  const info = await start();
  await deployTo(info, dataDir, repo);
  await measure(
    `stop + start, socket activation, --keep-apps x${RESTARTS}`,
    `http://127.0.0.1:${proxy}`,
    async () => {
      await holder.signal("stop");
      await start();
    },
  );
  await holder.close();
}

async function plain(repo: string, keepApps: boolean): Promise<void> {
  const dataDir = join(root, keepApps ? "keep" : "full");
  const listen = `127.0.0.1:${await freePort()}`;
  const args = keepApps ? ["--keep-apps"] : [];
  let agent = await spawnAgent(dataDir, { bin: SKIFF_BIN, listen, args, timeoutMs: 60_000 });
  await deployTo(agent.info, dataDir, repo);
  const name = keepApps
    ? "stop + start, no socket activation, --keep-apps"
    : "stop (SIGTERM, apps stopped) + start";
  let servedAfterListenMs: number[] = [];
  await measure(`${name} x${RESTARTS}`, agent.info.proxy, async () => {
    await agent.stop("SIGTERM");
    agent = await spawnAgent(dataDir, { bin: SKIFF_BIN, listen, args, timeoutMs: 60_000 });
  });
  if (keepApps) {
    // kill -9 and a plain start: from start to agent.json (listening and serving: the proxy holds
    // connections until the live releases are back).
    servedAfterListenMs = [];
    for (let i = 0; i < RESTARTS; i++) {
      await agent.stop("SIGKILL");
      const started = performance.now();
      agent = await spawnAgent(dataDir, { bin: SKIFF_BIN, listen, args, timeoutMs: 60_000 });
      const res = await fetch(`${agent.info.proxy}/`);
      await res.text();
      servedAfterListenMs.push(performance.now() - started);
    }
    out(
      `kill -9 + start: first answer ${servedAfterListenMs.map((ms) => `${Math.round(ms)} ms`).join(", ")} after the start command (node start-up included)`,
    );
  }
  await agent.stop("SIGTERM");
}

async function nginxReload(repo: string): Promise<void> {
  const nginx = findNginx();
  if (!nginx) {
    out("nginx -s reload: nginx not installed (Debian package nginx), skipped");
    return;
  }
  // The app alone, run by hand on a free port, nginx in front of it.
  const port = await freePort();
  processes.spawn(process.execPath, [join(repo, "server.mjs")], {
    cwd: repo,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
  });
  const dir = join(root, "nginx");
  const running = await startNginx(nginx, processes, dir, port);
  await measure(`nginx -s reload x${RESTARTS}`, running.url.replace(/\/$/, ""), async () => {
    execFileSync(nginx, [
      "-p",
      dir,
      "-c",
      join(dir, "nginx.conf"),
      "-e",
      join(dir, "error.log"),
      "-s",
      "reload",
    ]);
    await sleep(200);
  });
}

async function main(): Promise<void> {
  out(
    `bench:restart: ${RESTARTS} restarts of each kind under load (4 keep-alive workers, 2 on fresh connections, 2 with 1.5 s requests)`,
  );
  const repo = appRepo();
  try {
    await sighup(repo);
    await activated(repo);
    await plain(repo, true);
    await plain(repo, false);
    await nginxReload(repo);
    out("\n| restart | requests | failed | longest gap |");
    out("|---|---|---|---|");
    for (const [name, r] of rows)
      out(`| ${name} | ${r.requests} | ${r.failed} (${r.failures}) | ${Math.round(r.longestGapMs)} ms |`);
  } finally {
    await processes.stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
