import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

/**
 * An "app" that writes to SQLite all the time, in its own process as a real app would: WAL mode,
 * `rate` single-row inserts a second (each its own transaction), every insert timed. It stops on
 * SIGTERM and reports how many rows it wrote, how many writes failed, and the latency quantiles.
 * Used by the backups tests (no write may fail while backups run) and by bench:backup (p99 during a
 * backup against without).
 */

export interface WriterReport {
  inserted: number;
  errors: number;
  firstError: string | null;
  /** Insert latency quantiles in milliseconds, over `window` (or all inserts). */
  p50: number;
  p99: number;
  max: number;
}

export interface SqliteWriter {
  /** Resolves once the table exists and the first row is in. */
  ready: Promise<void>;
  /** Latency quantiles of the inserts since the last mark (the writer keeps running). */
  mark(): Promise<WriterReport>;
  stop(): Promise<WriterReport>;
  /** For cleanup after a failed test: ends the process at once. */
  kill(): void;
}

const MODULE = createRequire(import.meta.url).resolve("better-sqlite3");

const SCRIPT = `
const Database = require(process.env.WRITER_MODULE);
const rate = Number(process.env.WRITER_RATE);
const db = new Database(process.env.WRITER_FILE);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");
db.exec("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL)");
const insert = db.prepare("INSERT INTO items (body, at) VALUES (?, ?)");
let inserted = 0, errors = 0, firstError = null, latencies = [], all = [];
const body = "x".repeat(100);
function write() {
  const t = performance.now();
  try { insert.run(body, Date.now()); inserted++; }
  catch (e) { errors++; if (!firstError) firstError = String(e.message); }
  const ms = performance.now() - t;
  latencies.push(ms); all.push(ms);
}
function report(list) {
  const s = [...list].sort((a, b) => a - b);
  const q = (p) => s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
  return { inserted, errors, firstError, p50: q(0.5), p99: q(0.99), max: s.length ? s[s.length - 1] : 0 };
}
write();
process.stdout.write(JSON.stringify({ ready: true }) + "\\n");
const every = 10, perTick = Math.max(1, Math.round(rate * every / 1000));
const timer = setInterval(() => { for (let i = 0; i < perTick; i++) write(); }, every);
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text) => {
  for (const line of text.split("\\n").filter(Boolean)) {
    if (line === "mark") { process.stdout.write(JSON.stringify(report(latencies)) + "\\n"); latencies = []; }
    if (line === "stop") {
      clearInterval(timer);
      process.stdout.write(JSON.stringify(report(all)) + "\\n");
      db.close();
      process.exit(0);
    }
  }
});
`;

export function startSqliteWriter(file: string, rate = 500): SqliteWriter {
  const child = spawn(process.execPath, ["-e", SCRIPT], {
    env: { ...process.env, WRITER_MODULE: MODULE, WRITER_FILE: file, WRITER_RATE: String(rate) },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  let readyResolve: () => void = () => undefined;
  let readyReject: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  child.once("exit", (code) => readyReject(new Error(`the writer exited with code ${code}`)));
  lines.on("line", (line) => {
    if (line.includes('"ready"')) readyResolve();
    else waiting.shift()?.(line);
  });
  const ask = (command: string) =>
    new Promise<WriterReport>((resolve) => {
      waiting.push((line) => resolve(JSON.parse(line) as WriterReport));
      child.stdin!.write(`${command}\n`);
    });
  return {
    ready,
    kill: () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    },
    mark: () => ask("mark"),
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const report = await ask("stop");
      await exited;
      return report;
    },
  };
}
