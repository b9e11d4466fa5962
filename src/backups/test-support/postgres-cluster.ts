import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL cluster for tests, from Debian's `postgresql` package: initdb in a temp dir,
 * started on a free port on 127.0.0.1 with password authentication, stopped by the test. PostgreSQL
 * refuses to run as root, so under root the server runs as `nobody`.
 */

const BASE = "/usr/lib/postgresql";

/** The newest installed server's bin directory, or undefined. */
export function postgresBin(): string | undefined {
  if (!existsSync(BASE)) return undefined;
  const versions = readdirSync(BASE)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(BASE, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(BASE, versions[0], "bin");
}

export interface Cluster {
  /** postgres://postgres:PASSWORD@127.0.0.1:PORT/app */
  url: string;
  password: string;
  port: number;
  /** Runs SQL in the `app` database and returns psql's unaligned output. */
  sql(query: string): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startCluster(dir: string): Promise<Cluster> {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (Debian package: postgresql)");
  const asRoot = process.getuid?.() === 0;
  const data = join(dir, "data");
  mkdirSync(data, { mode: 0o700 });
  const password = "test-pg-password-1234";
  const pwfile = join(dir, "pwfile");
  writeFileSync(pwfile, password);
  if (asRoot) for (const path of [dir, data, pwfile]) chownSync(path, 65534, 65534);
  const as = (command: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "nobody", "--", command, ...args]) : run(command, args);
  await as(join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth-host=scram-sha-256",
    "--auth-local=trust",
    `--pwfile=${pwfile}`,
    "--no-sync",
  ]);
  const port = await freePort();
  await as(join(bin, "pg_ctl"), [
    "-D",
    data,
    "-l",
    join(dir, "server.log"),
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    "-w",
    "start",
  ]);
  const base = `postgres://postgres:${password}@127.0.0.1:${port}`;
  const psql = async (database: string, query: string) =>
    (
      await run(join(bin, "psql"), [
        "-X",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        `${base}/${database}`,
        "-c",
        query,
      ])
    ).stdout.trim();
  await psql("postgres", "CREATE DATABASE app");
  return {
    url: `${base}/app`,
    password,
    port,
    sql: (query) => psql("app", query),
    stop: async () => {
      await as(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    },
  };
}
