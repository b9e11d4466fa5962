import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { freePort } from "../../src/runtime/ports.js";
import { finished, stop } from "./processes.js";

/**
 * The trivial app every section deploys and loads: a fixed small body with its length, and /health;
 * /big is a 2 MB answer, for the clients of bench:slowloris that never read theirs.
 */
export const SERVER = `import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const version = readFileSync(new URL("./VERSION", import.meta.url), "utf8").trim();
const body = \`hello from \${version}\\n\`;
const big = Buffer.alloc(2 * 1024 * 1024, "b");
const server = createServer((req, res) => {
  if (req.url === "/big") {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": big.length });
    res.end(big);
    return;
  }
  res.writeHead(200, { "content-type": "text/plain", "content-length": body.length, "x-app-version": version });
  res.end(body);
});
server.listen(Number(process.env.PORT), process.env.HOST ?? "127.0.0.1");
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
`;

const BUILD = `import { writeFileSync } from "node:fs";
writeFileSync(new URL("./built.txt", import.meta.url), new Date().toISOString());
`;

export const BENCH_APP = "bench";

const CONFIG = `app: ${BENCH_APP}
build: node build.js
start: node server.js
drain_timeout: 10s
rollback_window: 1m
keep_releases: 100
`;

export function createBenchRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "server.js"), SERVER);
  writeFileSync(join(dir, "build.js"), BUILD);
  writeFileSync(join(dir, "package.json"), '{ "type": "module", "private": true }\n');
  writeFileSync(join(dir, "skiff.yml"), CONFIG);
  git(dir, "init", "-q", "-b", "main");
  commitVersion(dir, "v1");
  return dir;
}

export function commitVersion(dir: string, version: string): void {
  writeFileSync(join(dir, "VERSION"), `${version}\n`);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", `feat: ${version}`);
}

/** git with the bench's identity, whatever the user's config says. */
export function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.name=Skiff Bench", "-c", "user.email=bench@skiff.invalid", ...args], {
    cwd,
    stdio: "ignore",
  });
}

/** How long the app's own build takes: the same command, run directly in its directory. */
export async function timeBuild(dir: string): Promise<number> {
  const started = performance.now();
  const { code } = await finished(spawn("/bin/sh", ["-c", "node build.js"], { cwd: dir }));
  if (code !== 0) throw new Error(`the bench app's build failed (exit ${code})`);
  return performance.now() - started;
}

/** How long the app takes from spawn to its first successful answer, without Skiff in between. */
export async function timeBoot(dir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn("/bin/sh", ["-c", "exec node server.js"], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: "ignore",
  });
  try {
    while (performance.now() - started < 10_000) {
      if (await answers(port)) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error("the bench app did not answer within 10 s");
  } finally {
    await stop(child);
  }
}

/** One GET /health on a fresh connection: true on a 2xx. Plain node:http, so the probe itself is cheap. */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: "127.0.0.1", port, path: "/health", agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 300);
    });
    req.once("error", () => resolve(false));
  });
}
