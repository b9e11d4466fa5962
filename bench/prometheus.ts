// npm run bench:prometheus — what a real Prometheus sees of the requests a new release answers right after
// its deploy: increase() of the request counter against the histogram's count and the requests sent.
// A real agent (bin/skiff.js, built; SKIFF_BENCH_AGENT_BIN runs another build, e.g. an older version's, to
// compare), the bench app, and the `prometheus` binary (Debian package prometheus) scraping every second.
// Everything listens on 127.0.0.1; every process is stopped by PID and the temp dir removed at the end.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { type SpawnedAgent, spawnAgent } from "../src/agent/spawn.js";
import { archive, readAppSource } from "../src/cli/app-source.js";
import { AgentClient } from "../src/cli/client.js";
import { freePort } from "../src/runtime/ports.js";
import { BENCH_APP, commitVersion, createBenchRepo } from "./support/bench-app.js";
import { Processes } from "./support/processes.js";

const SCRAPE_SECONDS = 1;
const REQUESTS = 60;
const PAUSE_MS = 50;
// Compiled to dist/bench/bench/prometheus.js: the repository root is three levels up.
const SKIFF_BIN =
  process.env.SKIFF_BENCH_AGENT_BIN ?? new URL("../../../bin/skiff.js", import.meta.url).pathname;

const out = (line = "") => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  if (spawnSync("prometheus", ["--version"], { stdio: "ignore" }).status !== 0) {
    out("prometheus is not installed (Debian package: prometheus); nothing measured");
    process.exitCode = 1;
    return;
  }
  const root = mkdtempSync(join(tmpdir(), "skiff-bench-prometheus-"));
  const processes = new Processes();
  let agent: SpawnedAgent | undefined;
  try {
    out(`skiff bench:prometheus, ${new Date().toISOString()}, agent ${SKIFF_BIN}`);
    agent = await spawnAgent(join(root, "data"), { bin: SKIFF_BIN });
    const client = new AgentClient(agent.info.api, agent.token);
    const repo = createBenchRepo(join(root, "app"));
    await deploy(client, repo);

    const prometheus = await startPrometheus(processes, root, agent);
    await until("Prometheus to scrape the agent", async () => (await query(prometheus, "up")) === 1);

    commitVersion(repo, "v2");
    const release = await deploy(client, repo);
    const switchedAt = Date.now();
    // The histogram's series exist from the switch in every version: wait until one scrape has seen them.
    await until(
      "a scrape after the switch",
      async () =>
        (await query(prometheus, `count(http_request_duration_seconds_count{release="${release}"})`)) === 1,
    );
    for (let i = 0; i < REQUESTS; i++) {
      const res = await request(`${agent.info.proxy}/`);
      await res.body.dump();
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    const seen = `sum(http_request_duration_seconds_count{release="${release}"})`;
    await until(
      "the last requests to be scraped",
      async () => ((await query(prometheus, seen)) ?? 0) >= REQUESTS,
    );
    await new Promise((resolve) => setTimeout(resolve, 2 * SCRAPE_SECONDS * 1000));

    const window = `${Math.ceil((Date.now() - switchedAt) / 1000) + 5}s`;
    out(
      `${REQUESTS} requests sent to ${release}, ${PAUSE_MS} ms apart, after the first scrape of the new release`,
    );
    out(`scrape interval ${SCRAPE_SECONDS}s; window [${window}] from before the switch to now`);
    for (const expr of [
      `sum(increase(http_request_duration_seconds_count{release="${release}"}[${window}]))`,
      `sum(increase(http_requests_total{release="${release}"}[${window}]))`,
      `sum(increase(skiff_http_requests_total{release="${release}"}[${window}]))`,
      `sum(increase(skiff_http_request_duration_seconds_count{release="${release}"}[${window}]))`,
      `sum(http_requests_total{release="${release}"})`,
    ]) {
      const value = await query(prometheus, expr);
      out(`${expr.padEnd(96)} ${value === undefined ? "(no series)" : value.toFixed(1)}`);
    }
  } finally {
    await agent?.stop();
    await processes.stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

async function deploy(client: AgentClient, repo: string): Promise<string> {
  const source = await readAppSource(repo);
  const meta = { commit: null, deployedBy: "bench" };
  const result = await client.deploy(BENCH_APP, await archive(source), meta, {}, () => undefined);
  if (!result.release) throw new Error("the deploy did not go live");
  return (result.release as { id: string }).id;
}

async function startPrometheus(processes: Processes, root: string, agent: SpawnedAgent): Promise<string> {
  const port = await freePort();
  const tokenFile = join(root, "token");
  writeFileSync(tokenFile, agent.token, { mode: 0o600 });
  const config = join(root, "prometheus.yml");
  writeFileSync(
    config,
    `global: { scrape_interval: ${SCRAPE_SECONDS}s, evaluation_interval: ${SCRAPE_SECONDS}s }
scrape_configs:
  - job_name: skiff
    metrics_path: /metrics
    authorization: { credentials_file: ${tokenFile} }
    static_configs: [{ targets: ["${new URL(agent.info.api).host}"] }]
`,
  );
  processes.spawn("prometheus", [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(root, "tsdb")}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await until("Prometheus to answer", async () => {
    const res = await request(`${url}/-/ready`).catch(() => undefined);
    await res?.body.dump();
    return res?.statusCode === 200;
  });
  return url;
}

/** An instant query's single value, or undefined when it returns no series. */
async function query(prometheus: string, expr: string): Promise<number | undefined> {
  const res = await request(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.body.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
  const first = body.data?.result?.[0];
  return first ? Number(first.value[1]) : undefined;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

await main();
