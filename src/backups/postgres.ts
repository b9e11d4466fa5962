import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { redact } from "../alerts/redact.js";

/**
 * PostgreSQL through its own client tools: `pg_dump --format=custom` (streamed, compressed, restorable
 * table by table) and `pg_restore`. The URL comes from an agent secret; its password goes to the tools
 * as PGPASSWORD, never on their command line (where `ps` would show it), and is scrubbed from any
 * message.
 */

export interface PgConnection {
  /** The URL without its password, for --dbname. */
  url: string;
  env: Record<string, string>;
  /** The database name, for messages. */
  database: string;
  /** Removes the password (and the URL as given) from a text. */
  clean: (text: string) => string;
}

export class PgError extends Error {}

/** Binaries from PATH (Debian's pg_wrapper picks the newest client installed), or from SKIFF_PG_BIN_DIR. */
function bin(name: string): string {
  const dir = process.env.SKIFF_PG_BIN_DIR;
  return dir ? `${dir.replace(/\/+$/, "")}/${name}` : name;
}

export function pgConnection(urlText: string, secretName: string): PgConnection {
  let url: URL;
  try {
    url = new URL(urlText.trim());
  } catch {
    throw new PgError(`${secretName}: expected a postgres:// URL`);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw new PgError(`${secretName}: expected a postgres:// URL, got ${url.protocol}//`);
  const password = decodeURIComponent(url.password);
  url.password = "";
  const secrets = [urlText, password, url.password].filter((s) => s.length > 0);
  return {
    url: url.toString(),
    env: password ? { PGPASSWORD: password } : {},
    database: decodeURIComponent(url.pathname.slice(1)) || "(default)",
    clean: (text) => redact(text, secrets),
  };
}

/** The same server, another database. */
function withDatabase(connection: PgConnection, database: string): PgConnection {
  const url = new URL(connection.url);
  url.pathname = `/${database}`;
  return { ...connection, url: url.toString(), database };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client tool to the end, its stdout and stderr collected (small outputs only). */
function run(name: string, args: string[], connection: PgConnection): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin(name), args, {
      env: { ...process.env, ...connection.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", (error: NodeJS.ErrnoException) => reject(missingTool(name, error)));
    child.once("close", (code) => resolve({ code, stdout, stderr: connection.clean(stderr) }));
  });
}

function missingTool(name: string, error: NodeJS.ErrnoException): Error {
  return error.code === "ENOENT"
    ? new PgError(
        `${name} is not installed on the agent's machine (Debian: apt-get install postgresql-client)`,
      )
    : error;
}

function failure(what: string, result: Run): PgError {
  const text = result.stderr.trim().split("\n").slice(-5).join(" | ");
  const hint = /server version mismatch/.test(text)
    ? " (pg_dump must be at least the server's major version: install the matching postgresql-client)"
    : "";
  return new PgError(`${what} failed (exit code ${result.code}): ${text}${hint}`);
}

async function psql(connection: PgConnection, sql: string): Promise<string> {
  const result = await run(
    "psql",
    [
      "--no-psqlrc",
      "--no-align",
      "--tuples-only",
      "--quiet",
      "--set=ON_ERROR_STOP=1",
      "--dbname",
      connection.url,
      "--command",
      sql,
    ],
    connection,
  );
  if (result.code !== 0) throw failure("psql", result);
  return result.stdout;
}

/**
 * Starts pg_dump; `stream` is the dump as it is written. `done` settles when pg_dump exits: it rejects
 * with pg_dump's message on a non-zero exit, so a dump cut short never passes for a backup.
 */
export function dump(connection: PgConnection): { stream: Readable; done: Promise<void> } {
  const child = spawn(bin("pg_dump"), ["--format=custom", "--dbname", connection.url], {
    env: { ...process.env, ...connection.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      const failed = missingTool("pg_dump", error);
      child.stdout.destroy(failed);
      reject(failed);
    });
    child.once("close", (code) => {
      if (code === 0) resolve();
      else reject(failure("pg_dump", { code, stdout: "", stderr: connection.clean(stderr) }));
    });
  });
  return { stream: child.stdout, done };
}

/** The tables whose rows a dump holds (`schema.table`), from its table of contents. */
export async function dumpTables(file: string, connection: PgConnection): Promise<string[]> {
  const result = await run("pg_restore", ["--list", file], connection);
  if (result.code !== 0) throw failure("pg_restore --list", result);
  // e.g. "3345; 0 16390 TABLE DATA public items owner"
  return result.stdout
    .split("\n")
    .map((line) => /^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) /.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}.${m[2]}`)
    .sort();
}

/** Row count of every table of the database. */
export async function tableCounts(connection: PgConnection): Promise<Record<string, number>> {
  const tables = (
    await psql(
      connection,
      `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    )
  )
    .split("\n")
    .filter(Boolean);
  if (tables.length === 0) return {};
  const rows = await psql(
    connection,
    tables.map((t) => `SELECT '${t.replaceAll("'", "''")}', count(*) FROM ${t}`).join(" UNION ALL "),
  );
  const counts: Record<string, number> = {};
  for (const line of rows.split("\n").filter(Boolean)) {
    const bar = line.lastIndexOf("|");
    counts[line.slice(0, bar).replaceAll('"', "")] = Number(line.slice(bar + 1));
  }
  return counts;
}

export interface PgVerification {
  ok: boolean;
  /** How it was checked, or what failed. */
  note: string;
  /** Rows per table in the restored copy: the counts at the dump's snapshot. */
  tables: Record<string, number> | null;
}

/**
 * Restores the dump into a scratch database on the same server, counts its rows and drops it. When no
 * database can be created (the role lacks CREATEDB), reads the dump's table of contents instead, and
 * says so in the note.
 */
export async function verifyDump(file: string, connection: PgConnection): Promise<PgVerification> {
  const listed = await dumpTables(file, connection).catch((error: Error) => error);
  if (listed instanceof Error) return { ok: false, note: listed.message, tables: null };
  const scratchName = `skiff_verify_${randomBytes(6).toString("hex")}`;
  try {
    await psql(connection, `CREATE DATABASE ${scratchName}`);
  } catch (error) {
    return {
      ok: true,
      note: `pg_restore --list read ${listed.length} tables; no scratch database could be created to restore into (${(error as Error).message})`,
      tables: null,
    };
  }
  const scratch = withDatabase(connection, scratchName);
  try {
    const restored = await run(
      "pg_restore",
      ["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", scratch.url, file],
      scratch,
    );
    if (restored.code !== 0)
      return {
        ok: false,
        note: failure("pg_restore into a scratch database", restored).message,
        tables: null,
      };
    const tables = await tableCounts(scratch);
    const missing = listed.filter((t) => !(t in tables));
    if (missing.length > 0)
      return { ok: false, note: `restored, but tables are missing: ${missing.join(", ")}`, tables };
    return {
      ok: true,
      note: `restored into a scratch database: ${Object.keys(tables).length} tables, ${Object.values(tables).reduce((a, b) => a + b, 0)} rows`,
      tables,
    };
  } finally {
    await psql(connection, `DROP DATABASE IF EXISTS ${scratchName}`).catch(() => undefined);
  }
}

/**
 * Restores a dump over the live database: objects in the dump are dropped and recreated, in one
 * transaction, so a restore that fails leaves the database as it was.
 */
export async function restore(file: string, connection: PgConnection): Promise<void> {
  const result = await run(
    "pg_restore",
    [
      "--clean",
      "--if-exists",
      "--no-owner",
      "--no-privileges",
      "--single-transaction",
      "--exit-on-error",
      "--dbname",
      connection.url,
      file,
    ],
    connection,
  );
  if (result.code !== 0) throw failure("pg_restore", result);
}

/** `pg_dump (PostgreSQL) 15.8` → 15, for the docs' version rule and messages. */
export async function clientVersion(): Promise<string> {
  const result = await run("pg_dump", ["--version"], { url: "", env: {}, database: "", clean: (t) => t });
  return result.stdout.trim();
}
