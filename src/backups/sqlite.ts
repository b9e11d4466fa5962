import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * SQLite through its online backup API (better-sqlite3's `backup()`), never a file copy: a copy taken
 * while the app writes can be torn between pages; the backup API reads one consistent snapshot.
 *
 * SQLite restarts a backup whenever another connection changes the source between two steps, so a
 * plain step-by-step backup (like `sqlite3 .backup`) of a database the app writes to all the time
 * never finishes (bench:backup shows it). The snapshot therefore holds a read transaction on the
 * source for the whole copy: in WAL mode the app's writers go on (into the WAL, unseen by the copy),
 * nothing restarts, and the copy is the database as of the moment the transaction began. Steps of 1000
 * pages were the fastest measured (one huge step is slower: the destination's dirty pages overflow its
 * cache). In rollback-journal mode the read lock makes writers wait on their busy timeout meanwhile;
 * docs/backups.md recommends WAL.
 *
 * Each operation runs on a worker thread: a step is a synchronous call, and the agent's event loop also
 * runs the proxy.
 */

export interface SqliteInspection {
  /** `PRAGMA integrity_check`'s answer: ["ok"] when the file is sound. */
  integrity: string[];
  /** Row count of every table (virtual tables aside: their module may not be loaded here). */
  tables: Record<string, number>;
}

type Operation =
  | { op: "snapshot"; source: string; dest: string }
  | { op: "inspect"; file: string }
  | { op: "restore"; source: string; dest: string };

const MODULE = createRequire(import.meta.url).resolve("better-sqlite3");

/**
 * The worker's code, evaluated (not a file beside this one) so it runs the same from the TypeScript
 * sources under test and from dist/.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const STEP_PAGES = 1000;
const ALL = 0x7fffffff;
async function run(task) {
  if (task.op === "snapshot") {
    const db = new Database(task.source, { fileMustExist: true });
    try {
      db.pragma("busy_timeout = 30000");
      db.exec("BEGIN");
      db.prepare("SELECT count(*) FROM sqlite_schema").get();
      const result = await db.backup(task.dest, { progress: () => STEP_PAGES });
      db.exec("COMMIT");
      return { pages: result.totalPages };
    } finally {
      db.close();
    }
  }
  if (task.op === "restore") {
    // One step: the live database goes from the old content to the restored one in one write.
    const db = new Database(task.source, { fileMustExist: true });
    try {
      const result = await db.backup(task.dest, { progress: () => ALL });
      return { pages: result.totalPages };
    } finally {
      db.close();
    }
  }
  const db = new Database(task.file, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma("integrity_check").map((row) => String(Object.values(row)[0]));
    const tables = {};
    const names = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
      .pluck()
      .all();
    for (const name of names) {
      tables[name] = db.prepare('SELECT count(*) FROM "' + name.replaceAll('"', '""') + '"').pluck().get();
    }
    return { integrity, tables };
  } finally {
    db.close();
  }
}
run(workerData.task).then(
  (result) => parentPort.postMessage({ ok: true, result }),
  (error) => parentPort.postMessage({ ok: false, message: String(error && error.message ? error.message : error), code: error && error.code }),
);
`;

function runWorker<T>(task: Operation): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { module: MODULE, task } });
    let settled = false;
    worker.once("message", (message: { ok: boolean; result?: T; message?: string; code?: string }) => {
      settled = true;
      if (message.ok) resolve(message.result as T);
      else reject(new SqliteError(message.message ?? "failed", message.code));
      void worker.terminate();
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`the SQLite worker exited with code ${code}`));
    });
  });
}

export class SqliteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** A consistent copy of the live database at `source`, written to `dest` (a new file). */
export function snapshot(source: string, dest: string): Promise<{ pages: number }> {
  return runWorker({ op: "snapshot", source, dest });
}

/** Opens `file` read-only: integrity check and row counts. */
export function inspect(file: string): Promise<SqliteInspection> {
  return runWorker({ op: "inspect", file });
}

/**
 * Copies the database at `source` over the one at `dest` through the backup API, so connections that
 * still have `dest` open (a worker, a console) see the restored content, never a half-written file.
 */
export function restoreInto(source: string, dest: string): Promise<{ pages: number }> {
  return runWorker({ op: "restore", source, dest });
}

/** Pure. What is wrong with an inspected copy, compared with the counts recorded when it was taken. */
export function inspectionProblems(
  inspection: SqliteInspection,
  recorded: Record<string, number> | null,
): string[] {
  const problems: string[] = [];
  if (inspection.integrity.join("") !== "ok")
    problems.push(`integrity_check: ${inspection.integrity.slice(0, 3).join("; ")}`);
  if (recorded) {
    for (const [table, rows] of Object.entries(recorded)) {
      const got = inspection.tables[table];
      if (got === undefined) problems.push(`table ${table} is missing`);
      else if (got !== rows) problems.push(`table ${table} has ${got} rows, ${rows} when taken`);
    }
    for (const table of Object.keys(inspection.tables))
      if (!(table in recorded)) problems.push(`table ${table} was not there when taken`);
  }
  return problems;
}
