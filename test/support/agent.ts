import pino from "pino";
import { request } from "undici";
import { afterEach } from "vitest";
import { Agent, type AgentInfo, type AgentOptions } from "../../src/agent/agent.js";
import type { ResultEvent, StreamEvent } from "../../src/agent/api-types.js";
import { SKIFF_BIN, type SpawnedAgent, spawnAgent } from "../../src/agent/spawn.js";
import { archive, deployMeta, readAppSource } from "../../src/cli/app-source.js";
import { AgentClient } from "../../src/cli/client.js";

export const BIN = SKIFF_BIN;

export interface TestAgent {
  agent: Agent;
  info: AgentInfo;
  client: AgentClient;
  proxy: string;
}

/**
 * In-process agents on free ports, stopped after each test. Apps run as the agent's user (`isolation:
 * "off"`) unless a test asks for isolation: these tests run as root on the development machine and
 * not in CI, and with auto every test app would become a system user (skiff-<app>) left on the
 * machine, created by parallel test files racing for /etc/passwd's lock. test/isolation.e2e.test.ts
 * turns it on, and removes the users it made.
 */
export function useAgents(): (dataDir: string, extra?: Partial<AgentOptions>) => Promise<TestAgent> {
  const running: Agent[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((agent) => agent.stop()));
  });
  return async (dataDir, extra = {}) => {
    const agent = new Agent({
      isolation: "off",
      dataDir,
      listen: { host: "127.0.0.1", port: 0 },
      api: { host: "127.0.0.1", port: 0 },
      // SKIFF_TEST_LOG=info shows the agent's log while debugging a test.
      logger: pino({ level: process.env.SKIFF_TEST_LOG ?? "silent" }),
      ...extra,
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
  options: { wait?: boolean; ref?: string; env?: string; version?: string } = {},
): Promise<{ result: ResultEvent; events: StreamEvent[] }> {
  const source = await readAppSource(dir, options.ref);
  const events: StreamEvent[] = [];
  const meta = deployMeta(source, "tester", options.version);
  const result = await client.deploy(source.config.app, await archive(source), meta, options, (e) =>
    events.push(e),
  );
  return { result, events };
}

export async function rollback(
  client: AgentClient,
  app: string,
  to?: string,
): Promise<{ result: ResultEvent; events: StreamEvent[] }> {
  const events: StreamEvent[] = [];
  const result = await client.operation(
    `/v1/apps/${app}/rollback`,
    { body: JSON.stringify({ to, requestedBy: "tester" }), headers: { "content-type": "application/json" } },
    (e) => events.push(e),
  );
  return { result, events };
}

/** GET through the proxy (or anywhere), with an optional Host header; resolves to status and body text. */
export async function get(
  url: string,
  host?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  // undici's request, not fetch: fetch does not let a caller set the Host header.
  const res = await request(url, host ? { headers: { host } } : {});
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

export async function version(proxy: string, host?: string): Promise<string> {
  const { status, body } = await get(`${proxy}/`, host);
  if (status !== 200) throw new Error(`HTTP ${status}: ${body}`);
  return (JSON.parse(body) as { version: string }).version;
}

/** The real `skiff agent` as a child process (needs `npm run build`), stopped by PID after each test. */
export function useAgentProcesses(): (
  dataDir: string,
  ports?: { listen?: string; api?: string; args?: string[] },
) => Promise<SpawnedAgent> {
  const running: SpawnedAgent[] = [];
  // SIGTERM, so the agent stops its apps too; SIGKILL only if it does not exit in time.
  afterEach(async () => {
    await Promise.all(
      running.splice(0).map(async (agent) => {
        const timer = setTimeout(() => agent.child.kill("SIGKILL"), 15_000);
        await agent.stop("SIGTERM");
        clearTimeout(timer);
      }),
    );
  });
  return async (dataDir, ports = {}) => {
    // Ready when its agent.json names it: on a loaded machine node alone may take seconds to start.
    // --isolation off first, as for in-process agents (see useAgents); a test's own args come after.
    const args = ["--isolation", "off", ...(ports.args ?? [])];
    const agent = await spawnAgent(dataDir, { ...ports, args, timeoutMs: 60_000 });
    running.push(agent);
    return agent;
  };
}
