import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import bcrypt from "bcryptjs";
import { freePort } from "../../runtime/ports.js";

export const REGISTRY_BIN = "/usr/bin/docker-registry";
export const REGISTRY_PACKAGE = "docker-registry";

export interface LocalRegistry {
  /** host:port on 127.0.0.1, which the engine treats as an insecure (plain HTTP) registry by default. */
  address: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Debian's docker-registry (distribution 2.8) on a free loopback port with its storage in `dir`; with
 * `login`, behind htpasswd basic auth (bcrypt, as the registry requires). Stopped by PID in `stop()`.
 */
export async function startRegistry(
  dir: string,
  login?: { username: string; password: string },
): Promise<LocalRegistry> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const auth = login ? `auth:\n  htpasswd:\n    realm: skiff-test\n    path: ${join(dir, "htpasswd")}\n` : "";
  if (login)
    writeFileSync(join(dir, "htpasswd"), `${login.username}:${bcrypt.hashSync(login.password, 8)}\n`);
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:\n  level: error",
      `storage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\n  delete:\n    enabled: true`,
      `http:\n  addr: ${address}\n  secret: ${randomBytes(16).toString("hex")}`,
      auth,
    ].join("\n"),
  );
  const child = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const registry: LocalRegistry = { address, pid: child.pid!, stop: () => stopChild(child) };
  try {
    await untilAnswers(port, child, () => stderr);
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return registry;
}

export function registryInstalled(): boolean {
  return existsSync(REGISTRY_BIN);
}

/** GET /v2/ answers 200 (open) or 401 (auth) once it listens; the registry starts in well under a second. */
async function untilAnswers(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr()}`);
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: "127.0.0.1", port, path: "/v2/", agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", () => resolve(0));
      req.end();
    });
    if (status === 200 || status === 401) return;
    await sleep(50);
  }
  throw new Error(`docker-registry did not answer on port ${port}: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
