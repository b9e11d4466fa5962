/**
 * npm run bench:monitor — 1,000 HTTP monitors at a 10 s interval against local servers for 60 s.
 * The monitoring part of the agent runs in a child process (bench/monitor-agent.ts); this parent
 * serves the targets and the alert webhook on 127.0.0.1, makes some targets fail and recover, and
 * reads the child's CPU and memory from /proc. Prints figures against the targets.
 */
import { execFileSync, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentConfig, ChildMessage } from "./monitor-protocol.js";
import { wallClockMs } from "./monitor-protocol.js";

const MONITORS = Number(process.env.MONITORS ?? 1000);
const DURATION_MS = Number(process.env.DURATION_MS ?? 60_000);
const INTERVAL_MS = 10_000;
const SERVERS = 10;
const FAILING = 20;
/** The failing targets break at 15 s and come back at 40 s: each opens and resolves one incident. */
const BREAK_AT_MS = 15_000;
const RECOVER_AT_MS = 40_000;

const TARGETS = { cpuPercent: 20, rssMb: 150, driftP99Ms: 250, alertMs: 1000 };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Target servers: /m/<i> answers 200, or 500 while monitor i is failing. */
async function startTargets(failing: Set<number>): Promise<{ urls: string[]; servers: Server[] }> {
  const servers = Array.from({ length: SERVERS }, () =>
    createServer((req, res) => {
      const i = Number(req.url?.slice(3));
      res.writeHead(failing.has(i) ? 500 : 200, { "content-type": "text/plain" }).end("ok");
    }),
  );
  const origins = await Promise.all(servers.map(listen));
  const urls = Array.from({ length: MONITORS }, (_, i) => `${origins[i % SERVERS]}/m/${i}`);
  return { urls, servers };
}

/** The alert webhook: remembers when each monitor's alert arrived. */
async function startAlertReceiver(): Promise<{ url: string; server: Server; arrivals: Map<string, number> }> {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = wallClockMs();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { kind: string; title: string };
      const monitor = /monitor "([^"]+)"/.exec(body.title)?.[1] ?? "?";
      arrivals.set(`${monitor} ${body.kind === "incident-resolved" ? "resolved" : "opened"}`, at);
      res.writeHead(204).end();
    });
  });
  return { url: `${await listen(server)}/alerts`, server, arrivals };
}

/** CPU seconds (user + system) and RSS of a process, from /proc. */
function readProc(pid: number, ticksPerSecond: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return { cpuSeconds, rssMb: rssKb / 1024 };
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  // Other work on this machine shows up as drift; the load average says how busy it was.
  process.stdout.write(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
  const failing = new Set<number>();
  const { urls, servers } = await startTargets(failing);
  const receiver = await startAlertReceiver();
  const config: AgentConfig = {
    urls,
    intervalMs: INTERVAL_MS,
    timeoutMs: 5000,
    failureThreshold: 2,
    successThreshold: 2,
    concurrency: 256,
    alertUrl: receiver.url,
  };
  const here = dirname(fileURLToPath(import.meta.url));
  const child = fork(join(here, "monitor-agent.js"), {
    env: { ...process.env, SKIFF_BENCH_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const events = new Map<string, number>();
  let stats: Extract<ChildMessage, { type: "stats" }> | undefined;
  const ready = new Promise<void>((resolve) => {
    child.on("message", (message: ChildMessage) => {
      if (message.type === "ready") resolve();
      else if (message.type === "event") events.set(`${message.monitor} ${message.event}`, message.at);
      else stats = message;
    });
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid!;
  const ticks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

  try {
    await ready;
    process.stdout.write(
      `${MONITORS} monitors every ${INTERVAL_MS / 1000}s for ${DURATION_MS / 1000}s (child pid ${pid})\n`,
    );
    const start = readProc(pid, ticks);
    const startedAt = performance.now();
    let peakRssMb = start.rssMb;
    let broke = false;
    let recovered = false;
    while (performance.now() - startedAt < DURATION_MS) {
      await sleep(1000);
      const elapsed = performance.now() - startedAt;
      peakRssMb = Math.max(peakRssMb, readProc(pid, ticks).rssMb);
      if (!broke && elapsed >= BREAK_AT_MS) {
        for (let i = 0; i < FAILING; i++) failing.add(i * Math.floor(MONITORS / FAILING));
        broke = true;
      }
      if (!recovered && elapsed >= RECOVER_AT_MS) {
        failing.clear();
        recovered = true;
      }
    }
    const end = readProc(pid, ticks);
    const wallSeconds = (performance.now() - startedAt) / 1000;
    const cpuPercent = ((end.cpuSeconds - start.cpuSeconds) / wallSeconds) * 100;

    child.send({ type: "finish" });
    await Promise.race([exited, sleep(5000)]);
    if (!stats) throw new Error("the child sent no stats");

    const alertLatencies = [...events].flatMap(([key, at]) => {
      const arrived = receiver.arrivals.get(key);
      return arrived === undefined ? [] : [arrived - at];
    });
    const opened = [...events.keys()].filter((k) => k.endsWith("opened")).length;
    const resolved = [...events.keys()].filter((k) => k.endsWith("resolved")).length;
    const figures = {
      cpuPercent,
      peakRssMb,
      driftP50Ms: percentile(stats.lateMs, 0.5),
      driftP99Ms: percentile(stats.lateMs, 0.99),
      driftMaxMs: Math.max(...stats.lateMs),
      loopDelayP99Ms: stats.loopDelayP99Ms,
      alertP50Ms: percentile(alertLatencies, 0.5),
      alertMaxMs: Math.max(...alertLatencies),
    };
    report(figures, {
      checks: stats.checks,
      skipped: stats.skipped,
      opened,
      resolved,
      alerts: alertLatencies.length,
      stats,
    });
    const met =
      figures.cpuPercent < TARGETS.cpuPercent &&
      figures.peakRssMb < TARGETS.rssMb &&
      figures.driftP99Ms < TARGETS.driftP99Ms &&
      figures.alertMaxMs < TARGETS.alertMs &&
      alertLatencies.length === events.size &&
      opened === FAILING;
    process.exitCode = met ? 0 : 1;
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
    await Promise.all([...servers, receiver.server].map(close));
  }
}

function report(
  f: Record<string, number>,
  counts: {
    checks: number;
    skipped: number;
    opened: number;
    resolved: number;
    alerts: number;
    stats: { alertsSent: number; alertsFailed: number };
  },
): void {
  const row = (name: string, value: string, target: string, ok: boolean) =>
    process.stdout.write(
      `  ${name.padEnd(34)} ${value.padStart(10)}   target ${target.padEnd(9)} ${ok ? "ok" : "MISSED"}\n`,
    );
  process.stdout.write(
    `checks run: ${counts.checks}, skipped (previous still running): ${counts.skipped}; ` +
      `incidents opened: ${counts.opened}, resolved: ${counts.resolved}; ` +
      `alerts delivered: ${counts.stats.alertsSent}, failed: ${counts.stats.alertsFailed}\n`,
  );
  row(
    "CPU share of one core (child)",
    `${f.cpuPercent!.toFixed(1)}%`,
    `< ${TARGETS.cpuPercent}%`,
    f.cpuPercent! < TARGETS.cpuPercent,
  );
  row(
    "peak RSS (child)",
    `${f.peakRssMb!.toFixed(1)} MB`,
    `< ${TARGETS.rssMb} MB`,
    f.peakRssMb! < TARGETS.rssMb,
  );
  row("scheduling drift p50", `${f.driftP50Ms!.toFixed(1)} ms`, "", true);
  row(
    "scheduling drift p99",
    `${f.driftP99Ms!.toFixed(1)} ms`,
    `< ${TARGETS.driftP99Ms} ms`,
    f.driftP99Ms! < TARGETS.driftP99Ms,
  );
  row("scheduling drift max", `${f.driftMaxMs!.toFixed(1)} ms`, "", true);
  row("event-loop delay p99 (child)", `${f.loopDelayP99Ms!.toFixed(1)} ms`, "", true);
  row(`threshold → alert received, p50 (n=${counts.alerts})`, `${f.alertP50Ms!.toFixed(1)} ms`, "", true);
  row(
    "threshold → alert received, max",
    `${f.alertMaxMs!.toFixed(1)} ms`,
    `< ${TARGETS.alertMs} ms`,
    f.alertMaxMs! < TARGETS.alertMs,
  );
}

await main();
