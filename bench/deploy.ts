// npm run bench:deploy — what a deploy and a rollback cost, and what the proxy costs, on this machine.
// A real agent (bin/skiff.js, built), a trivial app, wrk (or the Load class) and nginx when installed.
// Everything listens on 127.0.0.1, every load is bounded in time, every process is stopped by PID and the
// temp dir is removed at the end.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { StatusView, StreamEvent } from "../src/agent/api-types.js";
import { type SpawnedAgent, spawnAgent } from "../src/agent/spawn.js";
import { archive, readAppSource } from "../src/cli/app-source.js";
import { AgentClient } from "../src/cli/client.js";
import { BENCH_APP, commitVersion, createBenchRepo, timeBoot, timeBuild } from "./support/bench-app.js";
import { type LoadResult, LoadRunner } from "./support/load-runner.js";
import { findNginx, startNginx } from "./support/nginx.js";
import { cpuMs, finished, Processes } from "./support/processes.js";
import { loadAverage, median, ms, quantile, verdict } from "./support/stats.js";

const CYCLES = 5;
const ROLLBACKS = 20;
const DEPLOYS = 5;
const DIRECT_SAMPLES = 5;
const PROXY_ROUNDS = 3;
const PROXY_SECONDS = 5;
/** The steady-rate run: this many connections, each pausing this long between requests. */
const RATE = { connections: 10, pauseMs: 5 };
// Compiled to dist/bench/bench/deploy.js: the repository root is three levels up.
const SKIFF_BIN = new URL("../../../bin/skiff.js", import.meta.url).pathname;

const out = (line = "") => process.stdout.write(`${line}\n`);
const section = (title: string) => out(`\n== ${title}`);

interface Bench {
  root: string;
  processes: Processes;
  runner: LoadRunner;
  agent: SpawnedAgent;
  client: AgentClient;
  repo: string;
  version: number;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "skiff-bench-"));
  const processes = new Processes();
  let agent: SpawnedAgent | undefined;
  try {
    const runner = new LoadRunner(processes, root);
    out(`skiff bench:deploy, ${new Date().toISOString()}`);
    out(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
    out(`load average at start: ${loadAverage()} (the machine may be shared: figures are medians)`);
    out(`load generator: ${runner.tool}; nginx: ${findNginx() ?? "not installed"}`);
    agent = await spawnAgent(join(root, "data"), { bin: SKIFF_BIN });
    const client = new AgentClient(agent.info.api, agent.token);
    const repo = createBenchRepo(join(root, "app"));
    const bench: Bench = { root, processes, runner, agent, client, repo, version: 1 };
    await deploy(bench);
    await cyclesUnderLoad(bench);
    await rollbackLatency(bench);
    await deployOverhead(bench);
    await proxyCost(bench);
    out(`\nload average at the end: ${loadAverage()}`);
  } finally {
    await agent?.stop();
    await processes.stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

interface Timed {
  /** From sending the command to the `switched` event reaching the client: 100% of traffic moved. */
  switchedMs: number;
  totalMs: number;
  events: StreamEvent[];
  release: string;
}

async function deploy(bench: Bench): Promise<Timed> {
  const started = performance.now();
  const source = await readAppSource(bench.repo);
  const tarball = await archive(source);
  const meta = { commit: null, deployedBy: "bench" };
  return timed(started, (onEvent) => bench.client.deploy(BENCH_APP, tarball, meta, {}, onEvent));
}

function rollback(bench: Bench, to?: string): Promise<Timed> {
  const body = JSON.stringify({ to, requestedBy: "bench" });
  return timed(performance.now(), (onEvent) =>
    bench.client.operation(
      `/v1/apps/${BENCH_APP}/rollback`,
      { body, headers: { "content-type": "application/json" } },
      onEvent,
    ),
  );
}

async function timed(
  started: number,
  operation: (onEvent: (event: StreamEvent) => void) => Promise<{ release: { id: string } | null }>,
): Promise<Timed> {
  const events: StreamEvent[] = [];
  let switchedMs = Number.NaN;
  const result = await operation((event) => {
    events.push(event);
    if (event.type === "step" && event.step === "switched") switchedMs = performance.now() - started;
  });
  return { switchedMs, totalMs: performance.now() - started, events, release: result.release?.id ?? "" };
}

function stepMs(events: StreamEvent[], step: string): number {
  const event = events.find((e) => e.type === "step" && e.step === step);
  return event?.type === "step" ? event.durationMs : Number.NaN;
}

async function cyclesUnderLoad(bench: Bench): Promise<void> {
  section(`1. ${CYCLES} deploy + rollback cycles under load (20 keep-alive connections, target: 0 failed)`);
  const load = bench.runner.start({ url: bench.agent.info.proxy, connections: 20, seconds: 300 });
  const rollbacks: Timed[] = [];
  const deploys: Timed[] = [];
  try {
    for (let i = 0; i < CYCLES; i++) {
      commitVersion(bench.repo, `v${++bench.version}`);
      deploys.push(await deploy(bench));
      rollbacks.push(await rollback(bench));
    }
  } finally {
    const result = await load.stop();
    out(
      `requests sent: ${result.requests}, failed: ${result.failed} (${result.failures}) ${verdict(result.failed === 0)}`,
    );
    out(`throughput during the cycles: ${result.rps} req/s, p99 ${ms(result.p99Ms)}`);
  }
  out(`deploys under load: median ${ms(median(deploys.map((d) => d.totalMs)))} end to end`);
  out(
    `rollbacks under load: command to 100% traffic median ${ms(median(rollbacks.map((r) => r.switchedMs)))}, ` +
      `max ${ms(Math.max(...rollbacks.map((r) => r.switchedMs)))}`,
  );
}

async function rollbackLatency(bench: Bench): Promise<void> {
  section(
    `2. Warm rollback latency, command to 100% of traffic (${ROLLBACKS} in process + ${ROLLBACKS} CLI)`,
  );
  const status = await bench.client.json<StatusView>("GET", "/v1/status");
  const app = status.apps.find((a) => a.app === BENCH_APP)!;
  // Alternate between the live release and the warm one it replaced: every rollback is a warm one.
  const ends = [app.warm[0]!.release, app.live!.id];
  const inProcess: Timed[] = [];
  for (let i = 0; i < ROLLBACKS; i++) inProcess.push(await rollback(bench, ends[i % 2]));
  const cli: number[] = [];
  for (let i = 0; i < ROLLBACKS; i++) cli.push(await cliRollback(bench, ends[i % 2]!));
  const nodeAlone: number[] = [];
  for (let i = 0; i < DIRECT_SAMPLES; i++) nodeAlone.push(await timeNodeStart(bench));
  const switched = inProcess.map((r) => stepMs(r.events, "switched"));
  const agentSide = inProcess.map((r) => r.switchedMs);
  const total = inProcess.map((r) => r.totalMs);
  const line = (label: string, values: number[], target: number) =>
    out(
      `${label}: p50 ${ms(quantile(values, 0.5))}, p99 ${ms(quantile(values, 0.99))}` +
        ` (target < ${target} ms) ${verdict(quantile(values, 0.99) < target)}`,
    );
  out(
    `(a) at the agent, the switch step itself: p50 ${ms(median(switched))}, p99 ${ms(quantile(switched, 0.99))}`,
  );
  line("(a) API call to the `switched` event (client in process)", agentSide, 100);
  line("(b) whole rollback call, client in process", total, 500);
  line("(b) `skiff rollback` CLI, spawn to exit", cli, 500);
  out(`    for scale: \`node -e 0\` alone takes ${ms(median(nodeAlone))} (median) on this machine right now`);
}

async function timeNodeStart(bench: Bench): Promise<number> {
  const started = performance.now();
  await finished(bench.processes.spawn(process.execPath, ["-e", "0"]));
  return performance.now() - started;
}

async function cliRollback(bench: Bench, to: string): Promise<number> {
  const started = performance.now();
  const child = bench.processes.spawn(
    process.execPath,
    [SKIFF_BIN, "rollback", "--app", BENCH_APP, "--to", to, "--json"],
    { env: { ...process.env, SKIFF_AGENT: bench.agent.info.api, SKIFF_TOKEN: bench.agent.token } },
  );
  const { code, stderr } = await finished(child);
  if (code !== 0) throw new Error(`skiff rollback --to ${to} exited ${code}: ${stderr}`);
  return performance.now() - started;
}

async function deployOverhead(bench: Bench): Promise<void> {
  section(`3. Deploy overhead: deploy time minus the app's own build and boot (${DEPLOYS} deploys, no load)`);
  const direct = join(bench.root, "direct");
  cpSync(bench.repo, direct, { recursive: true });
  const builds: number[] = [];
  const boots: number[] = [];
  for (let i = 0; i < DIRECT_SAMPLES; i++) {
    builds.push(await timeBuild(direct));
    boots.push(await timeBoot(direct));
  }
  const deploys: Timed[] = [];
  for (let i = 0; i < DEPLOYS; i++) {
    commitVersion(bench.repo, `v${++bench.version}`);
    deploys.push(await deploy(bench));
  }
  const wall = median(deploys.map((d) => d.totalMs));
  const overhead = wall - median(builds) - median(boots);
  out(`the app alone: build ${ms(median(builds))}, spawn to first answer ${ms(median(boots))} (medians)`);
  out(`skiff deploy (archive, upload, all steps until it serves 100%): median ${ms(wall)}`);
  const steps = ["received", "unpacked", "built", "started", "healthy", "switched", "drained"];
  out(
    `  steps (median): ${steps.map((s) => `${s} ${ms(median(deploys.map((d) => stepMs(d.events, s))))}`).join(", ")}`,
  );
  out(`overhead: ${ms(overhead)} (target < 1000 ms) ${verdict(overhead < 1000)}`);
}

interface ProxyTarget {
  name: string;
  url: string;
  pid: number | undefined;
}

async function proxyCost(bench: Bench): Promise<void> {
  section(`4. Proxy throughput and latency: the same app direct, through Skiff, through nginx`);
  const status = await bench.client.json<StatusView>("GET", "/v1/status");
  const port = status.apps.find((a) => a.app === BENCH_APP)!.instances[0]!.port!;
  const targets: ProxyTarget[] = [
    { name: "direct", url: `http://127.0.0.1:${port}/`, pid: undefined },
    { name: "skiff", url: `${bench.agent.info.proxy}/`, pid: bench.agent.child.pid },
  ];
  const nginx = findNginx();
  if (nginx) {
    const running = await startNginx(nginx, bench.processes, join(bench.root, "nginx"), port);
    targets.push({ name: "nginx", url: running.url, pid: running.workerPid });
  } else {
    out("nginx is not installed: no nginx comparison (apt-get install nginx-light to get one)");
  }
  out(
    `saturated: ${bench.runner.wrk ? "wrk -t2 -c50" : "Load, 50 connections"}, ${PROXY_SECONDS} s per run, ${PROXY_ROUNDS} rounds interleaved`,
  );
  const saturated = await rounds(bench, targets, { connections: 50, seconds: PROXY_SECONDS });
  out(
    `steady rate: ${RATE.connections} connections, each pausing ${RATE.pauseMs} ms between requests` +
      ` (about ${Math.round((RATE.connections * 1000) / (RATE.pauseMs + 0.3))} req/s)`,
  );
  const steady = await rounds(bench, targets, { ...RATE, seconds: PROXY_SECONDS });
  const of = (results: Map<string, Run[]>, name: string, pick: (run: Run) => number) =>
    median((results.get(name) ?? []).map(pick));
  for (const target of targets) {
    const cpu = of(saturated, target.name, (r) => r.cpuUsPerRequest);
    out(
      `${target.name.padEnd(6)} saturated ${String(of(saturated, target.name, (r) => r.result.rps)).padStart(6)} req/s, ` +
        `p99 ${ms(of(saturated, target.name, (r) => r.result.p99Ms))}` +
        `${Number.isNaN(cpu) ? "" : `, ${cpu.toFixed(0)} µs CPU per request`}; ` +
        `steady p50 ${ms(of(steady, target.name, (r) => r.result.p50Ms))}, p99 ${ms(of(steady, target.name, (r) => r.result.p99Ms))}`,
    );
  }
  const rps = (name: string) => of(saturated, name, (r) => r.result.rps);
  const addedSaturated =
    of(saturated, "skiff", (r) => r.result.p99Ms) - of(saturated, "direct", (r) => r.result.p99Ms);
  const added = (name: string, pick: (run: Run) => number) =>
    of(steady, name, pick) - of(steady, "direct", pick);
  const addedLine = (name: string) =>
    `p50 ${ms(added(name, (r) => r.result.p50Ms))}, p90 ${ms(added(name, (r) => r.result.p90Ms))}, ` +
    `p99 ${ms(added(name, (r) => r.result.p99Ms))}`;
  const p99Added = added("skiff", (r) => r.result.p99Ms);
  out(
    `added by skiff over direct at the steady rate: ${addedLine("skiff")} (target p99 < 2 ms) ${verdict(p99Added < 2)}`,
  );
  out(`  saturated, p99 added ${ms(addedSaturated)} (mostly queueing)`);
  if (nginx) {
    const ratio = rps("skiff") / rps("nginx");
    out(
      `added by nginx over direct at the steady rate: ${addedLine("nginx")} (how much of the tail is the machine)`,
    );
    out(
      `skiff / nginx throughput: ${ratio.toFixed(2)}× (target ≥ 0.5×, heading for 0.8×) ${verdict(ratio >= 0.5)}`,
    );
  }
  const failed = [...saturated.values(), ...steady.values()].flat().reduce((n, r) => n + r.result.failed, 0);
  out(`failed requests in these runs: ${failed}`);
}

interface Run {
  result: LoadResult;
  cpuUsPerRequest: number;
}

/** Each round runs every target once, in turn, so a burst of load from elsewhere hits all of them alike. */
async function rounds(
  bench: Bench,
  targets: ProxyTarget[],
  spec: { connections: number; seconds: number; pauseMs?: number },
): Promise<Map<string, Run[]>> {
  const runs = new Map<string, Run[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < PROXY_ROUNDS; round++) {
    for (const target of targets) {
      const before = cpuMs(target.pid);
      const result = await bench.runner.run({ ...spec, url: target.url });
      const after = cpuMs(target.pid);
      const cpu =
        before === undefined || after === undefined
          ? Number.NaN
          : ((after - before) * 1000) / result.requests;
      runs.get(target.name)!.push({ result, cpuUsPerRequest: cpu });
    }
  }
  return runs;
}

main().catch((error) => {
  process.stderr.write(
    `bench:deploy failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
  process.exitCode = 1;
});
