// npm run bench:deploy-cache — push → live for examples/notes (web, worker, migrations, better-sqlite3)
// with and without a dependency change: what the dependency cache (`install:` skipped, node_modules
// hard-linked from the release before while package-lock.json is unchanged) saves on a routine deploy.
// A real agent (bin/skiff.js, built) on 127.0.0.1; npm ci takes better-sqlite3's binary from a local
// prebuild (no compile, no GitHub) and its packages from npm's cache or registry. The agent is stopped by
// PID and the temp dir removed at the end.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { StreamEvent } from "../src/agent/api-types.js";
import { type SpawnedAgent, spawnAgent } from "../src/agent/spawn.js";
import { archive, deployMeta, readAppSource } from "../src/cli/app-source.js";
import { AgentClient } from "../src/cli/client.js";
import { git } from "./support/bench-app.js";
import { betterSqlitePrebuild, notesRepo } from "./support/notes-app.js";
import { loadAverage, median, ms } from "./support/stats.js";

/** Deploys of each kind, alternating, after a first (cold) one. */
const ROUNDS = 5;
// Compiled to dist/bench/bench/deploy-cache.js: the repository root is three levels up.
const SKIFF_BIN = new URL("../../../bin/skiff.js", import.meta.url).pathname;

const out = (line = "") => process.stdout.write(`${line}\n`);

interface Timed {
  /** From reading the commit (git archive) to the `switched` event: what `skiff deploy` waits for. */
  liveMs: number;
  installMs: number;
  installMessage: string;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "skiff-bench-"));
  let agent: SpawnedAgent | undefined;
  try {
    out(`skiff bench:deploy-cache, ${new Date().toISOString()}`);
    out(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
    out(`load average at start: ${loadAverage()} (the machine may be shared: figures are medians)`);
    const repo = notesRepo(join(root, "app"), await betterSqlitePrebuild(join(root, "prebuild")));
    agent = await spawnAgent(join(root, "data"), { bin: SKIFF_BIN });
    const client = new AgentClient(agent.info.api, agent.token);

    const cold = await deploy(client, repo);
    out(`first deploy (nothing to copy from): ${ms(cold.liveMs)} push → live, install ${ms(cold.installMs)}`);

    const unchanged: Timed[] = [];
    const changed: Timed[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      // A code change only: package-lock.json byte-identical, the install is skipped.
      commit(repo, `feat: v${i + 1}`, (dir) => writeFileSync(join(dir, "VERSION"), `${i + 1}\n`));
      unchanged.push(await deploy(client, repo));
      // A dependency change: the lockfile differs, so npm ci runs in full. The app's own version in
      // package.json and package-lock.json is bumped: a lockfile npm ci accepts, without the registry
      // having to serve a new package for each round.
      commit(repo, `chore: lockfile ${i}`, (dir) => bumpVersion(dir, i));
      changed.push(await deploy(client, repo));
    }
    const row = (name: string, runs: Timed[]) =>
      out(
        `${name.padEnd(28)} push → live median ${ms(median(runs.map((r) => r.liveMs)))} ` +
          `(min ${ms(Math.min(...runs.map((r) => r.liveMs)))}, max ${ms(Math.max(...runs.map((r) => r.liveMs)))}); ` +
          `installed step median ${ms(median(runs.map((r) => r.installMs)))}`,
      );
    out(`\n${ROUNDS} deploys of each kind, alternating:`);
    row("no dependency change", unchanged);
    row("dependency change", changed);
    out(`  e.g. ${unchanged.at(-1)?.installMessage}`);
    out(`  e.g. ${changed.at(-1)?.installMessage}`);
    const saved = median(changed.map((r) => r.liveMs)) - median(unchanged.map((r) => r.liveMs));
    out(`the cache saves ${ms(saved)} per routine deploy`);
    out(`\nload average at the end: ${loadAverage()}`);
  } finally {
    await agent?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

async function deploy(client: AgentClient, repo: string): Promise<Timed> {
  const started = performance.now();
  const source = await readAppSource(repo);
  const tarball = await archive(source);
  const events: StreamEvent[] = [];
  let liveMs = Number.NaN;
  await client.deploy("notes", tarball, deployMeta(source, "bench"), {}, (event) => {
    events.push(event);
    if (event.type === "step" && event.step === "switched") liveMs = performance.now() - started;
  });
  const installed = events.find((e) => e.type === "step" && e.step === "installed");
  if (installed?.type !== "step") throw new Error("the deploy had no installed step");
  return { liveMs, installMs: installed.durationMs, installMessage: installed.message ?? "" };
}

function commit(repo: string, message: string, change: (dir: string) => void): void {
  change(repo);
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", message);
}

function bumpVersion(dir: string, round: number): void {
  const version = `1.0.${round}`;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
  lock.version = version;
  lock.packages[""].version = version;
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(
    `bench:deploy-cache failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
  process.exitCode = 1;
});
