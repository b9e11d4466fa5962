import { exitStatus, spawnFailureStatus } from "./exit-status.js";
import type { OneShotMarker } from "./one-shot.js";
import { groupAlive, signalGroup, stopGroup } from "./process-group.js";
import { type AppSpawnOptions, spawnApp } from "./spawn-app.js";

/** How long a one-off command gets after SIGINT before SIGTERM, and after SIGTERM before SIGKILL. */
export const ONE_OFF_GRACE_MS = 5_000;

export interface OneOffOptions extends AppSpawnOptions {
  /** The program and its arguments, exactly as given: never through a shell. */
  argv: string[];
  marker: OneShotMarker;
  /** Each chunk as the process writes it. */
  onOutput: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** Aborted when the client goes away or asks to stop: SIGINT, then SIGTERM, then SIGKILL. */
  signal: AbortSignal;
  graceMs?: number;
}

export interface OneOffResult {
  /** What a shell would report: the code, 128 + a signal's number, 126/127 when it could not start. */
  exitCode: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it could not start (spawn's error), when it did not. */
  error?: string;
  /** Stopped because the client went away or asked to. */
  interrupted: boolean;
}

export interface OneOff {
  pid: number | undefined;
  done: Promise<OneOffResult>;
}

/**
 * Runs a one-off command (`skiff run`) in a release directory: its own process group, its output handed
 * over as it comes, stopped the way a terminal would stop it when the client leaves (SIGINT to the
 * group, then SIGTERM and SIGKILL, each after a grace period), and nothing of it left when it ends.
 */
export function runOneOff(options: OneOffOptions): OneOff {
  const { argv, marker, signal } = options;
  const grace = options.graceMs ?? ONE_OFF_GRACE_MS;
  const child = spawnApp(argv, { ...options, env: { ...options.env, ...marker.env } });
  const pid = child.pid;
  if (pid !== undefined) marker.spawned(pid);
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    if (pid !== undefined) void interruptGroup(pid, grace);
  };
  const done = new Promise<OneOffResult>((resolve) => {
    let error: string | undefined;
    let errorCode: string | undefined;
    child.stdout?.on("data", (chunk: Buffer) => options.onOutput("stdout", chunk));
    child.stderr?.on("data", (chunk: Buffer) => options.onOutput("stderr", chunk));
    child.once("error", (e: NodeJS.ErrnoException) => {
      error = `${argv[0]}: ${e.code === "ENOENT" ? "command not found" : e.message}`;
      errorCode = e.code;
    });
    signal.addEventListener("abort", interrupt, { once: true });
    if (signal.aborted) interrupt();
    child.once("close", (code, sig) => {
      signal.removeEventListener("abort", interrupt);
      // Nothing the command started may outlive it.
      if (pid !== undefined) signalGroup(pid, "SIGKILL");
      marker.ended();
      const exitCode = pid === undefined ? spawnFailureStatus(errorCode) : exitStatus(code, sig);
      resolve({ exitCode, code, signal: sig, interrupted, ...(error ? { error } : {}) });
    });
  });
  return { pid, done };
}

/** What Ctrl-C in a terminal does, then what a stop does: SIGINT, and past `graceMs` SIGTERM, then SIGKILL. */
async function interruptGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, "SIGINT")) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupAlive(pgid)) await new Promise((resolve) => setTimeout(resolve, 25));
  if (groupAlive(pgid)) await stopGroup(pgid, graceMs);
}
