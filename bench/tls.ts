// npm run bench:tls — what HTTPS costs in Skiff's proxy against nginx with TLS, on this machine.
// A real agent (bin/skiff.js, built) with --tls-listen, the bench app deployed with its own certificate
// (tls: { cert_file, key_file }), and nginx (1 worker) with the same certificate in front of the same app
// instance. Everything listens on 127.0.0.1, every load is bounded in time, every process is stopped by
// PID and the temp dir is removed at the end.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { generate } from "selfsigned";
import type { StatusView } from "../src/agent/api-types.js";
import { type SpawnedAgent, spawnAgent } from "../src/agent/spawn.js";
import { archive, readAppSource } from "../src/cli/app-source.js";
import { AgentClient } from "../src/cli/client.js";
import { freePort } from "../src/runtime/ports.js";
import { BENCH_APP, commitVersion, createBenchRepo } from "./support/bench-app.js";
import { type LoadResult, parseWrk } from "./support/load-runner.js";
import { findNginx, startNginx } from "./support/nginx.js";
import { cpuMs, finished, Processes } from "./support/processes.js";
import { loadAverage, median, ms, verdict } from "./support/stats.js";

const ROUNDS = 3;
const SECONDS = 5;
/** Keep-alive run: wrk's connections, each sending requests back to back on one TLS connection. */
const KEEP_ALIVE_CONNECTIONS = 50;
/** New-connection runs: every request on a new TCP connection and TLS handshake. */
const HANDSHAKE_CONNECTIONS = 16;
/**
 * The app's host is the address itself: wrk sends the URL's host as SNI, and the load only targets
 * 127.0.0.1. The certificate names it as a DNS name (for SNI) and an IP address.
 */
const HOST = "127.0.0.1";
const SKIFF_BIN = new URL("../../../bin/skiff.js", import.meta.url).pathname;
const WRK = ["/usr/bin/wrk", "/usr/local/bin/wrk"];

const out = (line = "") => process.stdout.write(`${line}\n`);

interface Target {
  name: string;
  url: string;
  pid: number | undefined;
}

interface Run {
  rps: number;
  /** Handshakes the server resumed, of all (the Node-client modes only). */
  resumedShare: number;
  failed: number;
  cpuUsPerRequest: number;
  p99Ms: number;
}

type Mode = "keep-alive" | "wrk new connections" | "full handshakes" | "resumed handshakes";

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "skiff-bench-tls-"));
  const processes = new Processes();
  let agent: SpawnedAgent | undefined;
  try {
    const wrk = WRK.find((path) => existsSync(path));
    const nginx = findNginx();
    out(`skiff bench:tls, ${new Date().toISOString()}`);
    out(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
    out(`load average at start: ${loadAverage()}`);
    out(`wrk: ${wrk ?? "not installed"}; nginx: ${nginx ?? "not installed"}`);
    if (!wrk || !nginx) throw new Error("bench:tls needs wrk and nginx (apt-get install wrk nginx)");

    const certDir = join(root, "cert");
    mkdirSync(certDir);
    const certFile = join(certDir, "fullchain.pem");
    const keyFile = join(certDir, "privkey.pem");
    const pems = await generate([{ name: "commonName", value: HOST }], {
      keyType: "ec",
      curve: "P-256",
      notAfterDate: new Date(Date.now() + 30 * 86_400_000),
      extensions: [
        {
          name: "subjectAltName",
          altNames: [
            { type: 2, value: HOST },
            { type: 7, ip: HOST },
          ],
        },
      ],
    });
    writeFileSync(certFile, pems.cert);
    writeFileSync(keyFile, pems.private, { mode: 0o600 });
    out("certificate: ECDSA P-256 (the key type Skiff orders over ACME), the same files for both servers");

    agent = await spawnAgent(join(root, "data"), { bin: SKIFF_BIN, args: ["--tls-listen", "127.0.0.1:0"] });
    const client = new AgentClient(agent.info.api, agent.token);
    const repo = createBenchRepo(join(root, "app"));
    writeFileSync(
      join(repo, "skiff.yml"),
      `app: ${BENCH_APP}\nstart: node server.js\nhost: ${HOST}\ntls: { cert_file: ${certFile}, key_file: ${keyFile} }\nhttps_redirect: false\n`,
    );
    commitVersion(repo, "v1");
    const source = await readAppSource(repo);
    const result = await client.deploy(
      BENCH_APP,
      await archive(source),
      { commit: null, deployedBy: "bench" },
      {},
      () => undefined,
    );
    if (!result.ok) throw new Error(`deploy failed: ${JSON.stringify(result.error)}`);
    const status = await client.json<StatusView>("GET", "/v1/status");
    const appPort = status.apps.find((a) => a.app === BENCH_APP)!.instances[0]!.port!;
    const running = await startNginx(nginx, processes, join(root, "nginx"), appPort, {
      tls: { certFile, keyFile },
    });
    const floor = await startNodeTlsFloor(processes, certFile, keyFile);
    const targets: Target[] = [
      { name: "skiff", url: `${agent.info.tls!}/`, pid: agent.child.pid },
      { name: "nginx", url: running.httpsUrl!, pid: running.workerPid },
      { name: "node", url: floor.url, pid: floor.pid },
    ];
    out(
      "node: a bare node:tls server answering 200 itself (no proxying): what any Node TLS server gets here",
    );
    for (const t of targets) out(`${t.name}: ${t.url}`);
    out(
      `TLS 1.3 tickets used once each (as wrk's OpenSSL and browsers do), ${RECONNECTIONS} reconnections: resumed`,
    );
    for (const t of targets)
      out(`  ${t.name.padEnd(6)} ${await resumedInARow(new URL(t.url))} of ${RECONNECTIONS}`);

    // Warm-up: right after a start, V8 has not yet compiled the request path, and on a busy machine its
    // compiler threads wait for a core; the first seconds measured a tenth of the steady rate.
    for (const target of targets) {
      await load("keep-alive", target.url, processes, wrk);
      await load("wrk new connections", target.url, processes, wrk);
    }
    const modes: Mode[] = ["keep-alive", "wrk new connections", "full handshakes", "resumed handshakes"];
    const runs = new Map<string, Run[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of modes) {
        for (const target of targets) {
          const before = cpuMs(target.pid);
          const r = await load(mode, target.url, processes, wrk);
          const after = cpuMs(target.pid);
          const cpu =
            before === undefined || after === undefined
              ? Number.NaN
              : ((after - before) * 1000) / Math.max(1, r.requests);
          const key = `${mode}/${target.name}`;
          runs.set(key, [
            ...(runs.get(key) ?? []),
            {
              rps: r.rps,
              failed: r.failed,
              cpuUsPerRequest: cpu,
              p99Ms: r.p99Ms,
              resumedShare: r.resumed === undefined ? Number.NaN : r.resumed / Math.max(1, r.requests),
            },
          ]);
        }
      }
    }

    out("");
    out(`${ROUNDS} rounds of ${SECONDS} s each, interleaved; medians`);
    const of = (key: string, pick: (r: Run) => number) => median((runs.get(key) ?? []).map(pick));
    let failed = 0;
    for (const mode of modes) {
      const describe =
        mode === "keep-alive"
          ? `wrk -t2 -c${KEEP_ALIVE_CONNECTIONS}, requests on open TLS connections`
          : mode === "wrk new connections"
            ? `wrk -t2 -c${HANDSHAKE_CONNECTIONS} -H "Connection: close": a new TLS connection per request (wrk resumes TLS sessions where the server allows)`
            : mode === "full handshakes"
              ? `a Node client, ${HANDSHAKE_CONNECTIONS} at a time, a full handshake per request (no session reuse)`
              : `a Node client, ${HANDSHAKE_CONNECTIONS} at a time, every connection resuming a TLS 1.3 session (ticket)`;
      out(`\n== ${mode}: ${describe}`);
      for (const t of targets) {
        const key = `${mode}/${t.name}`;
        out(
          `${t.name.padEnd(6)} ${String(of(key, (r) => r.rps)).padStart(6)} req/s, p99 ${ms(of(key, (r) => r.p99Ms))}, ` +
            `${of(key, (r) => r.cpuUsPerRequest).toFixed(0)} µs server CPU per request, ` +
            `${(runs.get(key) ?? []).reduce((n, r) => n + r.failed, 0)} failed` +
            (mode.endsWith("handshakes")
              ? `, ${(of(key, (r) => r.resumedShare) * 100).toFixed(0)}% resumed`
              : ""),
        );
        failed += (runs.get(key) ?? []).reduce((n, r) => n + r.failed, 0);
      }
      const ratio = of(`${mode}/skiff`, (r) => r.rps) / of(`${mode}/nginx`, (r) => r.rps);
      out(`skiff / nginx: ${ratio.toFixed(2)}× (target ≥ 0.5×) ${verdict(ratio >= 0.5)}`);
    }
    out(`\nfailed requests in these runs: ${failed}`);
    out(`load average at the end: ${loadAverage()}`);
  } finally {
    await agent?.stop();
    await processes.stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

async function load(
  mode: Mode,
  url: string,
  processes: Processes,
  wrk: string,
): Promise<LoadResult & { resumed?: number }> {
  if (mode === "full handshakes") return handshakes(new URL(url), HANDSHAKE_CONNECTIONS, SECONDS, false);
  if (mode === "resumed handshakes") return handshakes(new URL(url), HANDSHAKE_CONNECTIONS, SECONDS, true);
  const connections = mode === "keep-alive" ? KEEP_ALIVE_CONNECTIONS : HANDSHAKE_CONNECTIONS;
  const args = [`-t2`, `-c${connections}`, `-d${SECONDS}s`, "--latency", "--timeout", "5s"];
  if (mode !== "keep-alive") args.push("-H", "Connection: close");
  const { stdout, stderr } = await finished(processes.spawn(wrk, [...args, url]));
  return parseWrk(stdout, stderr);
}

/**
 * `lanes` loops, each: connect, TLS handshake, GET / with Connection: close, read to the end. Without
 * `resume` no session is offered (a full handshake each time: wrk cannot be told not to resume); with
 * it every connection offers the first ticket its lane got, which a server accepts again until it
 * expires, so every handshake is a resumption whether the server renews tickets or not. `resumed`
 * counts the handshakes the server did resume.
 */
async function handshakes(
  url: URL,
  lanes: number,
  seconds: number,
  resume: boolean,
): Promise<LoadResult & { resumed: number }> {
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let failed = 0;
  let resumed = 0;
  const one = (lane: { session?: Buffer }) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({
        host: url.hostname,
        port: Number(url.port),
        servername: HOST,
        rejectUnauthorized: false,
        ...(resume && lane.session ? { session: lane.session } : {}),
      });
      if (resume && !lane.session)
        socket.once("session", (session: Buffer) => {
          lane.session = session;
        });
      let head = "";
      socket.setEncoding("latin1");
      socket.once("secureConnect", () => {
        if (socket.isSessionReused()) resumed++;
        socket.write(`GET / HTTP/1.1\r\nhost: ${HOST}\r\nconnection: close\r\n\r\n`);
      });
      socket.on("data", (chunk: string) => {
        if (head.length < 16) head += chunk;
      });
      socket.once("end", () => {
        socket.destroy();
        resolve(head.startsWith("HTTP/1.1 200"));
      });
      socket.once("error", () => resolve(false));
    });
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      const lane: { session?: Buffer } = {};
      while (performance.now() < deadline) {
        const started = performance.now();
        if (await one(lane)) latencies.push(performance.now() - started);
        else failed++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    requests: latencies.length + failed,
    failed,
    rps: Math.round(latencies.length / seconds),
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    failures: `${failed} failed`,
    resumed,
  };
}

const RECONNECTIONS = 6;

/**
 * Connects RECONNECTIONS + 1 times in a row, each time offering the newest ticket the previous connection
 * got; counts the resumed ones. A server that sends no new ticket on a resumed TLS 1.3 connection makes
 * such a client alternate between a resumption and a full handshake (what wrk does in "new connections").
 */
async function resumedInARow(url: URL): Promise<number> {
  let session: Buffer | undefined;
  let resumed = 0;
  for (let i = 0; i <= RECONNECTIONS; i++) {
    const offered = session;
    session = undefined;
    const reused = await new Promise<boolean>((resolve) => {
      const socket = connect({
        host: url.hostname,
        port: Number(url.port),
        servername: HOST,
        rejectUnauthorized: false,
        ...(offered ? { session: offered } : {}),
      });
      let wasReused = false;
      socket.on("session", (ticket: Buffer) => {
        session = ticket;
      });
      socket.once("secureConnect", () => {
        wasReused = socket.isSessionReused();
        // Not a half-close: the server closes after its answer, by which time its tickets have arrived.
        socket.write(`GET / HTTP/1.1\r\nhost: ${HOST}\r\nconnection: close\r\n\r\n`);
      });
      socket.resume();
      socket.once("close", () => resolve(wasReused));
      socket.once("error", () => resolve(false));
    });
    if (i > 0 && reused) resumed++;
  }
  return resumed;
}

/** The floor for a Node TLS server on this machine: node:tls and a fixed answer, nothing else. */
async function startNodeTlsFloor(
  processes: Processes,
  certFile: string,
  keyFile: string,
): Promise<{ url: string; pid: number | undefined }> {
  const port = await freePort();
  const script = `
const { createServer } = require("node:tls");
const { readFileSync } = require("node:fs");
const answer = "HTTP/1.1 200 OK\\r\\ncontent-type: text/plain\\r\\ncontent-length: 14\\r\\n\\r\\nhello from v1\\n";
const server = createServer({ key: readFileSync(${JSON.stringify(keyFile)}), cert: readFileSync(${JSON.stringify(certFile)}), ALPNProtocols: ["http/1.1"] }, (socket) => {
  let pending = "";
  socket.setEncoding("latin1");
  socket.on("error", () => {});
  socket.on("data", (chunk) => {
    pending += chunk;
    let end;
    while ((end = pending.indexOf("\\r\\n\\r\\n")) !== -1) {
      const head = pending.slice(0, end).toLowerCase();
      pending = pending.slice(end + 4);
      if (head.includes("connection: close")) { socket.end(answer); return; }
      socket.write(answer);
    }
  });
});
server.on("connection", (socket) => socket.setNoDelay(true));
server.listen(${port}, "127.0.0.1");`;
  const child = processes.spawn(process.execPath, ["-e", script]);
  const url = `https://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return { url, pid: child.pid };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the bare node:tls server did not start");
}

main().catch((error) => {
  process.stderr.write(
    `bench:tls failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
  process.exitCode = 1;
});
