/**
 * npm run bench:backup [-- --mb 1024] [--rate 500]
 *
 * A SQLite database of about 1 GB (WAL mode), an "app" process inserting `rate` rows a second into it,
 * and then, in the same run:
 *   1. the app alone: its insert latency (p50, p99, max) over a few seconds;
 *   2. skiff's snapshot alone (better-sqlite3 online backup, one step, on a worker thread) while the
 *      app writes: time and the app's latency meanwhile;
 *   3. a whole skiff backup (snapshot, gzip, restore into a scratch file, integrity_check and row
 *      counts, local copy) while the app writes;
 *   4. Debian's `sqlite3 DB ".backup FILE"` while the app writes (bounded: it restarts whenever another
 *      process writes between its 100-page steps), and then with the app stopped.
 * Prints one table; the figures go in docs/backups.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { unpackArchive, writeArchive } from "../src/backups/archive.js";
import { BackupService } from "../src/backups/service.js";
import { inspect, snapshot } from "../src/backups/sqlite.js";
import { parseAppConfig } from "../src/config/load.js";
import { DataDir } from "../src/store/data-dir.js";
import { Store } from "../src/store/store.js";
import { startSqliteWriter, type WriterReport } from "./support/sqlite-writer.js";
import { ms } from "./support/stats.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TARGET_MB = option("mb", 1024);
const RATE = option("rate", 500);
const SQLITE3_LIMIT_MS = 180_000;

const root = mkdtempSync(join(tmpdir(), "skiff-bench-backup-"));
const rows: Array<[string, string, string, string]> = [];
const row = (what: string, time: string, report: WriterReport | undefined, note = "") =>
  rows.push([
    what,
    time,
    report ? `${ms(report.p50)} / ${ms(report.p99)} / ${ms(report.max)}, ${report.errors} failed` : "-",
    note,
  ]);

function createDatabase(file: string, mb: number): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL)");
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, created INTEGER NOT NULL)");
  // ~1 KB rows, half random (hex) and half repetitive, as text columns of real apps are.
  const n = Math.round((mb * 1024 * 1024) / 1100);
  db.exec(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n})
           INSERT INTO items (body, at) SELECT hex(randomblob(256)) || printf('%.512c', 'x'), i FROM c`);
  db.exec(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000)
           INSERT INTO users (email, created) SELECT 'user' || i || '@example.com', i FROM c`);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/** Runs `work` while the writer runs; returns its time and the writer's latency meanwhile. */
async function during<T>(
  writer: ReturnType<typeof startSqliteWriter>,
  work: () => Promise<T>,
): Promise<{ value: T; ms: number; report: WriterReport }> {
  await writer.mark();
  const started = performance.now();
  const value = await work();
  const elapsed = performance.now() - started;
  return { value, ms: elapsed, report: await writer.mark() };
}

function sqlite3Backup(
  source: string,
  dest: string,
  limitMs: number,
): Promise<{ ms: number; finished: boolean }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn("sqlite3", [source, `.backup '${dest}'`], { stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, finished: code === 0 });
    });
  });
}

async function main(): Promise<void> {
  const hasSqlite3 = spawnSync("sqlite3", ["--version"]).status === 0;
  const dataDir = new DataDir(join(root, "data"));
  dataDir.create();
  const storage = dataDir.storageDir("bench", "production");
  mkdirSync(join(storage, "data"), { recursive: true });
  const file = join(storage, "data", "app.db");
  process.stdout.write(`creating a ${TARGET_MB} MB database… `);
  const started = performance.now();
  createDatabase(file, TARGET_MB);
  const bytes = statSync(file).size;
  process.stdout.write(
    `${(bytes / 1024 / 1024).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );

  const store = new Store(dataDir.db);
  store.apps.register(
    parseAppConfig("app: bench\nstart: x\nbackups:\n  - sqlite: data/app.db\n    keep: 1\n"),
    Date.now(),
  );
  const service = new BackupService({
    store,
    dataDir,
    secrets: () => undefined,
    logger: pino({ level: "silent" }),
  });

  const writer = startSqliteWriter(file, RATE);
  await writer.ready;
  await writer.mark();
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  row(`app alone (${RATE} inserts/s, 5 s)`, "-", await writer.mark());

  const snap = await during(writer, () => snapshot(file, join(root, "snapshot.db")));
  row("skiff snapshot (backup API, read txn held, 1000-page steps)", ms(snap.ms), snap.report);
  rmSync(join(root, "snapshot.db"), { force: true });

  const whole = await during(writer, () => service.backUp({ app: "bench", trigger: "manual" }));
  const record = whole.value[0]!;
  row(
    "skiff backup (snapshot + gzip -1 + verify + copy)",
    ms(whole.ms),
    whole.report,
    `${record.status}, archive ${(record.bytes! / 1024 / 1024).toFixed(0)} MB; ${record.verifyNote}`,
  );

  if (hasSqlite3) {
    const cli = await during(writer, () => sqlite3Backup(file, join(root, "cli.db"), SQLITE3_LIMIT_MS));
    row(
      "sqlite3 .backup while the app writes",
      cli.value.finished ? ms(cli.ms) : `> ${SQLITE3_LIMIT_MS / 1000} s`,
      cli.report,
      cli.value.finished ? "" : "did not finish: restarted by every write between its 100-page steps",
    );
    rmSync(join(root, "cli.db"), { force: true });
  }
  const final = await writer.stop();
  row("app over the whole run", "-", final, `${final.inserted} rows inserted`);

  // Where a whole backup's time goes, phase by phase, with the app stopped.
  const quiet = join(root, "quiet.db");
  const phase = async (what: string, work: () => Promise<unknown>, note = "") => {
    const t = performance.now();
    await work();
    row(what, ms(performance.now() - t), undefined, note);
  };
  await phase("skiff snapshot, app stopped", () => snapshot(file, quiet));
  const archive = join(root, "quiet.sqlite.gz");
  let digest = { bytes: 0, sha256: "" };
  await phase("  gzip -1 + sha256 of the snapshot", async () => {
    digest = await writeArchive(createReadStream(quiet), archive, { gzip: true, key: undefined });
  });
  await phase("  unpack into a scratch file", () =>
    unpackArchive(
      createReadStream(archive),
      join(root, "scratch.db"),
      { gzip: true, key: undefined },
      digest,
      "bench",
    ),
  );
  await phase("  integrity_check + row counts", () => inspect(join(root, "scratch.db")));
  for (const f of [quiet, archive, join(root, "scratch.db")]) rmSync(f, { force: true });
  if (hasSqlite3) {
    const quiet = await sqlite3Backup(file, join(root, "cli-quiet.db"), SQLITE3_LIMIT_MS);
    row("sqlite3 .backup, app stopped", ms(quiet.ms), undefined, quiet.finished ? "" : "did not finish");
  } else {
    row("sqlite3 .backup", "-", undefined, "sqlite3 is not installed (Debian package: sqlite3)");
  }
  store.close();

  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), 10));
  const header = ["", "time", "app insert p50 / p99 / max", "note"];
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  // process.stdout, as the other benchmarks print: preflight's debug check reports console.log.
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out(
    `\nSQLite backup of ${(bytes / 1024 / 1024).toFixed(0)} MB, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}\n`,
  );
  out(line(header));
  for (const r of rows) out(line(r));
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(root, { recursive: true, force: true }));
