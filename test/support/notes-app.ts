import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import * as tar from "tar";
import { commit, initRepo } from "../../src/test-support/git-fixtures.js";

const EXAMPLE = new URL("../../examples/notes/", import.meta.url).pathname;
const require = createRequire(import.meta.url);

/**
 * better-sqlite3's binary as a local prebuild, the way an offline server is given one: its install
 * (`prebuild-install`) takes it from npm_config_better_sqlite3_local_prebuilds instead of compiling
 * SQLite, which takes about two minutes on this project's machines (no GitHub to download from). The
 * binary is Skiff's own, built for this very Node.
 */
export async function betterSqlitePrebuild(dir: string): Promise<string> {
  const pkgFile = require.resolve("better-sqlite3/package.json");
  const { version } = JSON.parse(readFileSync(pkgFile, "utf8")) as { version: string };
  const stage = join(dir, "stage");
  mkdirSync(join(stage, "build", "Release"), { recursive: true });
  cpSync(
    join(dirname(pkgFile), "build", "Release", "better_sqlite3.node"),
    join(stage, "build", "Release", "better_sqlite3.node"),
  );
  const prebuilds = join(dir, "prebuilds");
  mkdirSync(prebuilds, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await tar.c({ gzip: true, file: join(prebuilds, name), cwd: stage }, ["build"]);
  return prebuilds;
}

/**
 * examples/notes as a git repository to deploy, its install given the local prebuild and its worker
 * gated on 1 s of uptime (not 2) to keep the test short.
 */
export async function notesRepo(dir: string, prebuilds: string): Promise<string> {
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  const yml = readFileSync(join(dir, "skiff.yml"), "utf8")
    .replace("min_uptime: 2s", "min_uptime: 1s")
    .replace(
      "  NODE_ENV: production\n",
      `  NODE_ENV: production\n  npm_config_better_sqlite3_local_prebuilds: ${prebuilds}\n`,
    );
  writeFileSync(join(dir, "skiff.yml"), yml);
  await initRepo(dir);
  await commit(dir, "feat: notes");
  return dir;
}

/** The app's database in its production storage, read-only (the app, its worker and backups write it). */
export function notesDatabase(storageDir: string): Database.Database {
  const db = new Database(join(storageDir, "data", "notes.db"), { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  return db;
}
