// npm run bench:slowloris — what slow clients do to everyone else: N of them hold on to one app while wrk
// measures a normal client's throughput and p99, through Skiff's proxy and through nginx in front of the
// same app instance. A real agent (bin/skiff.js, built, default limits), the bench app, wrk, nginx.
// Everything listens on 127.0.0.1, every load is bounded in time, every process is stopped by PID and the
// temp dir is removed at the end.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { StatusView } from "../src/agent/api-types.js";
import { type SpawnedAgent, spawnAgent } from "../src/agent/spawn.js";
import { archive, readAppSource } from "../src/cli/app-source.js";
import { AgentClient } from "../src/cli/client.js";
import { BENCH_APP, createBenchRepo } from "./support/bench-app.js";
import { type LoadResult, LoadRunner } from "./support/load-runner.js";
import { findNginx, startNginx } from "./support/nginx.js";
import { Processes } from "./support/processes.js";
import { median, ms, verdict } from "./support/stats.js";

/**
 * How many slow clients, in turn (SLOWLORIS_COUNTS=100,1000 to choose); the largest runs only when
 * the open file limit allows it.
 */
const COUNTS = (process.env.SLOWLORIS_COUNTS ?? "100,1000,5000").split(",").map(Number);
/** Unattacked and attacked runs alternate this many times per target and count; medians are reported. */
const ROUNDS = Number(process.env.SLOWLORIS_ROUNDS ?? 3);
/** The normal client: wrk, this many connections, this long, saturating. */
const NORMAL = { connections: 10, seconds: 5 };
/** Slow clients send one more piece of their head or body this often: slow, but never silent long. */
const DRIP_MS = 5_000;
/**
 * Clients that never read a 2 MB answer leave it in the kernel's socket buffers (a few MB each on
 * loopback), so their number is capped to keep the machine's TCP memory reasonable; the rest of the
 * slow clients drip heads and bodies.
 */
const MAX_NON_READERS = 200;
/** How long nginx is given to take the attack in (Skiff says when it has, in /metrics). */
const SETTLE_MS = 3_000;
/** Targets at 1,000 slow clients (issue 10). */
const TARGET = { ratio: 0.8, p99Ms: 50, at: 1_000 };
// Compiled to dist/bench/bench/slowloris.js: the repository root is three levels up. SLOWLORIS_SKIFF_BIN
// runs another build of the agent instead (an older commit, for comparison).
const SKIFF_BIN =
  process.env.SLOWLORIS_SKIFF_BIN ?? new URL("../../../bin/skiff.js", import.meta.url).pathname;

const out = (line = "") => process.stdout.write(`${line}\n`);

type Kind = "head" | "body" | "reader";

/**
 * N slow clients against one address, kept at N: one the server closes is opened again. `head` sends a
 * request head a line at a time, `body` a chunked body a byte at a time, `reader` asks for /big and
 * never reads it.
 */
class SlowClients {
  private readonly sockets = new Set<Socket>();
  private running = true;
  private drip: NodeJS.Timeout | undefined;
  /** Connections the server closed (and that were opened again), by kind. */
  readonly closedByServer: Record<Kind, number> = { head: 0, body: 0, reader: 0 };
  readonly kinds: Record<Kind, number>;

  constructor(
    private readonly port: number,
    count: number,
  ) {
    const readers = Math.min(MAX_NON_READERS, Math.floor(count / 3));
    const head = Math.ceil((count - readers) / 2);
    this.kinds = { head, body: count - readers - head, reader: readers };
  }

  /** Opens them all (in batches, so that the listen backlog keeps up) and starts dripping. */
  async start(): Promise<void> {
    const all: Kind[] = (Object.keys(this.kinds) as Kind[]).flatMap((kind) =>
      Array(this.kinds[kind]).fill(kind),
    );
    for (let i = 0; i < all.length; i += 250) {
      await Promise.all(all.slice(i, i + 250).map((kind) => this.open(kind)));
    }
    this.drip = setInterval(() => {
      for (const socket of this.sockets) {
        const kind = (socket as Socket & { kind: Kind }).kind;
        if (kind === "head") socket.write("X-Slow: 1\r\n");
        else if (kind === "body") socket.write("1\r\nx\r\n");
      }
    }, DRIP_MS);
  }

  stop(): void {
    this.running = false;
    clearInterval(this.drip);
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private open(kind: Kind): Promise<void> {
    return new Promise((resolve) => {
      const socket = connect(this.port, "127.0.0.1") as Socket & { kind: Kind };
      socket.kind = kind;
      this.sockets.add(socket);
      socket.on("error", () => undefined);
      socket.once("connect", () => {
        if (kind === "head") socket.write("GET / HTTP/1.1\r\nHost: bench\r\n");
        else if (kind === "body")
          socket.write("POST / HTTP/1.1\r\nHost: bench\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n");
        else {
          socket.pause();
          socket.write("GET /big HTTP/1.1\r\nHost: bench\r\n\r\n");
        }
        resolve();
      });
      socket.once("close", () => {
        this.sockets.delete(socket);
        resolve();
        if (!this.running) return;
        this.closedByServer[kind]++;
        void this.open(kind);
      });
    });
  }
}

interface Target {
  name: string;
  url: string;
  port: number;
  /** Skiff's /metrics, to see when the attack is in place. */
  metrics?: () => Promise<string>;
}

interface Measured {
  unattacked: LoadResult;
  attacked: LoadResult;
  /** The last round's slow clients (their mix, and how many the server cut off). */
  slow: SlowClients;
  /** From opening the slow clients to the attack being in place (median). */
  settleMs: number;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "skiff-slowloris-"));
  const processes = new Processes();
  let agent: SpawnedAgent | undefined;
  try {
    const runner = new LoadRunner(processes, root);
    out(`skiff bench:slowloris, ${new Date().toISOString()}`);
    out(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
    out(
      `load average at start: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")} (the machine may be shared)`,
    );
    out(
      `normal client: ${runner.tool}, ${NORMAL.connections} connections, ${NORMAL.seconds} s, saturating; ` +
        `${ROUNDS} rounds of unattacked then attacked, medians`,
    );
    agent = await spawnAgent(join(root, "data"), { bin: SKIFF_BIN });
    const client = new AgentClient(agent.info.api, agent.token);
    const repo = createBenchRepo(join(root, "app"));
    const source = await readAppSource(repo);
    await client.deploy(
      BENCH_APP,
      await archive(source),
      { commit: null, deployedBy: "bench" },
      {},
      () => undefined,
    );
    const status = await client.json<StatusView>("GET", "/v1/status");
    const appPort = status.apps.find((a) => a.app === BENCH_APP)!.instances[0]!.port!;
    const targets: Target[] = [
      {
        name: "skiff",
        url: `${agent.info.proxy}/`,
        port: Number(new URL(agent.info.proxy).port),
        metrics: () => metrics(client),
      },
    ];
    const nginx = findNginx();
    if (nginx) {
      const running = await startNginx(nginx, processes, join(root, "nginx"), appPort, {
        workerConnections: 12_000,
      });
      targets.push({ name: "nginx", url: running.url, port: Number(new URL(running.url).port) });
    } else {
      out("nginx is not installed: no comparison (apt-get install nginx-light)");
    }
    const fdLimit = openFileLimit();
    out(`open files allowed: ${fdLimit ?? "unknown"}; agent ${SKIFF_BIN}, pid ${agent.child.pid}`);
    const summary: string[] = [];
    for (const count of COUNTS) {
      // Each slow client is a socket here and one (or two) in the proxy: leave room.
      if (fdLimit !== undefined && count * 2 + 500 > fdLimit) {
        out(`\n== ${count} slow clients: skipped, the open file limit (${fdLimit}) is too low (ulimit -n)`);
        continue;
      }
      for (const target of targets) {
        const { unattacked, attacked, slow, settleMs } = await measure(runner, target, count);
        const ratio = attacked.rps / unattacked.rps;
        if (target === targets[0])
          out(
            `\n== ${count} slow clients: ${slow.kinds.head} dripping a head, ${slow.kinds.body} dripping a chunked body, ` +
              `${slow.kinds.reader} not reading a 2 MB answer (one piece every ${DRIP_MS / 1000} s)`,
          );
        out(
          `${target.name.padEnd(5)} unattacked ${String(unattacked.rps).padStart(6)} req/s, p99 ${ms(unattacked.p99Ms)}; ` +
            `attacked ${String(attacked.rps).padStart(6)} req/s (${ratio.toFixed(2)}×), p99 ${ms(attacked.p99Ms)}, ` +
            `failed ${attacked.failed}; in place after ${ms(settleMs)}; cut off and reopened: ${JSON.stringify(slow.closedByServer)}`,
        );
        if (target.name === "skiff" && count === TARGET.at) {
          const met = ratio >= TARGET.ratio && attacked.p99Ms < TARGET.p99Ms;
          summary.push(
            `skiff at ${count} slow clients: ${ratio.toFixed(2)}× of its unattacked throughput (target ≥ ${TARGET.ratio}), ` +
              `p99 ${ms(attacked.p99Ms)} (target < ${TARGET.p99Ms} ms) ${verdict(met)}`,
          );
        }
      }
      out(`skiff's proxy counters so far: ${await proxyCounters(client)}`);
    }
    out("");
    for (const line of summary) out(line);
    out(
      `load average at the end: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    await agent?.stop();
    await processes.stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

/** The normal client alone, then with `count` slow clients holding on. */
/**
 * The normal client alone, then with `count` slow clients holding on, ROUNDS times in turn (the machine
 * may be shared: a burst of load from elsewhere should not decide the result); medians.
 */
async function measure(runner: LoadRunner, target: Target, count: number): Promise<Measured> {
  const unattacked: LoadResult[] = [];
  const attacked: LoadResult[] = [];
  const settle: number[] = [];
  let slow = new SlowClients(target.port, count);
  for (let round = 0; round < ROUNDS; round++) {
    unattacked.push(await runner.run({ url: target.url, ...NORMAL }));
    slow = new SlowClients(target.port, count);
    try {
      const started = performance.now();
      await slow.start();
      await settled(target);
      settle.push(performance.now() - started);
      attacked.push(await runner.run({ url: target.url, ...NORMAL }));
    } finally {
      slow.stop();
      // The server sees the closes; give it a moment before the next run.
      await sleep(1_000);
    }
  }
  return { unattacked: medianRun(unattacked), attacked: medianRun(attacked), slow, settleMs: median(settle) };
}

/** The median of each figure over the runs. */
function medianRun(runs: LoadResult[]): LoadResult {
  return {
    requests: median(runs.map((r) => r.requests)),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p90Ms: median(runs.map((r) => r.p90Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    failures: runs.map((r) => r.failures).join("; "),
  };
}

/**
 * Waits until the attack is in place: the non-readers have been sent what their socket buffers hold
 * (copying their 2 MB answers is real work, done once; what is measured is the state after). Skiff says
 * so in /metrics (no connection working, none waiting); nginx is given the same fixed time.
 */
async function settled(target: Target): Promise<void> {
  if (!target.metrics) {
    await sleep(SETTLE_MS);
    return;
  }
  const deadline = Date.now() + 30_000;
  await sleep(500);
  while (Date.now() < deadline) {
    const text = await target.metrics();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
    const working = value(/skiff_upstream_connections\{[^}]*state="working"\} (\d+)/);
    const waiting = value(/skiff_upstream_waiting_requests\{[^}]*\} (\d+)/);
    if (working === 0 && waiting === 0) return;
    await sleep(250);
  }
}

/** The agent's own view, from /metrics: clients cut off, and how full its pool got. */
async function proxyCounters(client: AgentClient): Promise<string> {
  const text = await metrics(client);
  const pick = (name: string) =>
    text
      .split("\n")
      .filter((line) => line.startsWith(name))
      .map((line) => line.replace(/\{app="[^"]*",env="[^"]*",release="[^"]*",?/, "{"))
      .join(", ");
  return [
    pick("skiff_proxy_slow_clients_total"),
    pick("skiff_upstream_waited_total"),
    pick("skiff_upstream_reclaimed_total"),
  ].join("; ");
}

async function metrics(client: AgentClient): Promise<string> {
  const res = await client.send("GET", "/metrics");
  let text = "";
  for await (const chunk of res as AsyncIterable<Buffer>) text += chunk.toString();
  return text;
}

function openFileLimit(): number | undefined {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    const match = /Max open files\s+(\d+)/.exec(limits);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

main().catch((error) => {
  process.stderr.write(
    `bench:slowloris failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
  process.exitCode = 1;
});
