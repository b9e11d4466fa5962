import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { request } from "undici";
import { afterEach } from "vitest";
import { Agent, type AgentInfo } from "../../src/agent/agent.js";
import type { ResultEvent, StreamEvent } from "../../src/agent/api-types.js";
import { archive, readAppSource } from "../../src/cli/app-source.js";
import { AgentClient } from "../../src/cli/client.js";

export const BIN = new URL("../../bin/skiff.js", import.meta.url).pathname;

export interface TestAgent {
  agent: Agent;
  info: AgentInfo;
  client: AgentClient;
  proxy: string;
}

/** In-process agents on free ports, stopped after each test. */
export function useAgents(): (dataDir: string) => Promise<TestAgent> {
  const running: Agent[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((agent) => agent.stop()));
  });
  return async (dataDir) => {
    const agent = new Agent({
      dataDir,
      listen: { host: "127.0.0.1", port: 0 },
      api: { host: "127.0.0.1", port: 0 },
      logger: pino({ level: "silent" }),
    });
    running.push(agent);
    const info = await agent.start();
    return { agent, info, client: new AgentClient(info.api, agent.token), proxy: info.proxy };
  };
}

/** Deploys the committed tree of `dir` the way `skiff deploy` does, collecting the streamed events. */
export async function deploy(
  client: AgentClient,
  dir: string,
  options: { wait?: boolean; ref?: string } = {},
): Promise<{ result: ResultEvent; events: StreamEvent[] }> {
  const source = await readAppSource(dir, options.ref);
  const tarball = await archive(source);
  const events: StreamEvent[] = [];
  const meta = {
    commit: { sha: source.commit.sha, message: source.commit.message, author: source.commit.author, committedAt: source.commit.committedAt },
    deployedBy: "tester",
  };
  const result = await client.deploy(source.config.app, tarball, meta, Boolean(options.wait), (e) => events.push(e));
  return { result, events };
}

export async function rollback(client: AgentClient, app: string, to?: string): Promise<{ result: ResultEvent; events: StreamEvent[] }> {
  const events: StreamEvent[] = [];
  const result = await client.operation(
    `/v1/apps/${app}/rollback`,
    { body: JSON.stringify({ to, requestedBy: "tester" }), headers: { "content-type": "application/json" } },
    (e) => events.push(e),
  );
  return { result, events };
}

/** GET through the proxy (or anywhere), with an optional Host header; resolves to status and body text. */
export async function get(url: string, host?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  // undici's request, not fetch: fetch does not let a caller set the Host header.
  const res = await request(url, host ? { headers: { host } } : {});
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

export async function version(proxy: string, host?: string): Promise<string> {
  const { status, body } = await get(`${proxy}/`, host);
  if (status !== 200) throw new Error(`HTTP ${status}: ${body}`);
  return (JSON.parse(body) as { version: string }).version;
}

export interface AgentProcess {
  child: ChildProcess;
  info: AgentInfo;
  token: string;
  output: () => string;
  /** SIGTERM and wait for exit; resolves to the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** The real `skiff agent` as a child process (needs `npm run build`), stopped by PID after each test. */
export function useAgentProcesses(): (dataDir: string, ports?: { listen?: string; api?: string }) => Promise<AgentProcess> {
  const running: AgentProcess[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop("SIGKILL")));
  });
  return async (dataDir, ports = {}) => {
    const infoFile = join(dataDir, "agent.json");
    const previous = existsSync(infoFile) ? readFileSync(infoFile, "utf8") : undefined;
    const child = spawn(
      process.execPath,
      [BIN, "agent", "--data-dir", dataDir, "--listen", ports.listen ?? "127.0.0.1:0", "--api", ports.api ?? "127.0.0.1:0"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const handle: AgentProcess = {
      child,
      info: undefined as unknown as AgentInfo,
      token: "",
      output: () => output,
      stop: async (signal = "SIGTERM") => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
    running.push(handle);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`agent exited early:\n${output}`);
      if (existsSync(infoFile)) {
        const text = readFileSync(infoFile, "utf8");
        const info = text && text !== previous ? (JSON.parse(text) as AgentInfo) : undefined;
        if (info && info.pid === child.pid) {
          handle.info = info;
          handle.token = readFileSync(join(dataDir, "token"), "utf8").trim();
          return handle;
        }
      }
      await sleep(50);
    }
    throw new Error(`agent did not start:\n${output}`);
  };
}
