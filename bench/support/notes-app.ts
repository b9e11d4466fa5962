import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tar from "tar";
import { git } from "./bench-app.js";

const require = createRequire(import.meta.url);
const EXAMPLE = exampleDir(fileURLToPath(new URL(".", import.meta.url)));

/** examples/notes, found upwards: from bench/support/ (tests) and from dist/bench/bench/support/ alike. */
function exampleDir(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "examples", "notes", "skiff.yml"))) return join(dir, "examples", "notes");
  }
  throw new Error(`examples/notes not found above ${from}`);
}

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
 * examples/notes as a git repository to deploy (one commit), its install given the local prebuild and
 * its worker gated on 1 s of uptime (not 2) to keep tests and benches short.
 */
export function notesRepo(dir: string, prebuilds: string): string {
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  const yml = readFileSync(join(dir, "skiff.yml"), "utf8")
    .replace("min_uptime: 2s", "min_uptime: 1s")
    .replace(
      "  NODE_ENV: production\n",
      `  NODE_ENV: production\n  npm_config_better_sqlite3_local_prebuilds: ${prebuilds}\n`,
    );
  writeFileSync(join(dir, "skiff.yml"), yml);
  git(dir, "init", "-q", "-b", "main");
  // Its own identity, so later commits (tests', the bench's) do not depend on the user's git config.
  git(dir, "config", "user.name", "Skiff Bench");
  git(dir, "config", "user.email", "bench@skiff.invalid");
  git(dir, "config", "commit.gpgsign", "false");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "feat: notes");
  return dir;
}
