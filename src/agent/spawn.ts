import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentInfo } from "./agent.js";

export const SKIFF_BIN = new URL("../../bin/skiff.js", import.meta.url).pathname;

export interface SpawnedAgent {
  child: ChildProcess;
  info: AgentInfo;
  token: string;
  /** Everything the agent printed so far. */
  output: () => string;
  /** Sends `signal` (SIGTERM by default) to the agent's PID and resolves to its exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Starts `skiff agent` as a child process and waits until it is ready (its agent.json names its pid).
 * Used by `skiff demo`, the benchmarks and the tests that need a real agent process.
 */
export async function spawnAgent(
  dataDir: string,
  options: { listen?: string; api?: string; timeoutMs?: number; bin?: string; args?: string[] } = {},
): Promise<SpawnedAgent> {
  const child = spawn(
    process.execPath,
    [
      options.bin ?? SKIFF_BIN,
      "agent",
      "--data-dir",
      dataDir,
      "--listen",
      options.listen ?? "127.0.0.1:0",
      "--api",
      options.api ?? "127.0.0.1:0",
      ...(options.args ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const infoFile = join(dataDir, "agent.json");
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the agent exited early:\n${output}`);
    const info = readInfo(infoFile);
    if (info && info.pid === child.pid) {
      const token = readFileSync(join(dataDir, "token"), "utf8").trim();
      return { child, info, token, output: () => output, stop };
    }
    await sleep(25);
  }
  await stop("SIGKILL");
  throw new Error(`the agent did not become ready:\n${output}`);
}

function readInfo(file: string): AgentInfo | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as AgentInfo;
  } catch {
    return undefined;
  }
}
