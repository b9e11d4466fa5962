import type { AppUser } from "../isolation/users.js";
import type { LogFile } from "./log-file.js";
import { signalGroup, stopGroup } from "./process-group.js";
import { spawnApp } from "./spawn-app.js";

/** How long a one-shot command gets between SIGTERM and SIGKILL when it is cancelled or times out. */
const STOP_GRACE_MS = 2_000;

/**
 * What marks a one-shot process so that an agent restarted after a crash can stop it: the same shape as
 * a task marker (an entry in the ledger before the spawn, a variable in the process's environment).
 */
export interface OneShotMarker {
  readonly env: Record<string, string>;
  spawned(pid: number): void;
  ended(): void;
}

export interface OneShotOptions {
  /** Names the command in the log: `build`, `install`, `release`, `worker 0 healthcheck`. */
  label: string;
  cwd: string;
  /** From processEnvironment (process-env.ts). */
  env: NodeJS.ProcessEnv;
  log: LogFile;
  signal: AbortSignal;
  /** Stopped (SIGTERM, then SIGKILL) past this; no limit when absent. */
  timeoutMs?: number;
  marker?: OneShotMarker;
  /** The app's own user when apps are isolated. */
  user?: AppUser | undefined;
}

export interface OneShotResult {
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/**
 * Runs a command to its end (a build, an install, a release command, a worker's health check) in the
 * release directory, its output going to the log. Aborting or timing out stops the whole process group
 * (npm and everything it started); nothing it started outlives it.
 */
export function runOneShot(command: string, options: OneShotOptions): Promise<OneShotResult> {
  const { label, log, signal, marker } = options;
  log.note(`${label}: ${command}`);
  return new Promise((resolve) => {
    const child = spawnApp(command, {
      cwd: options.cwd,
      env: marker ? { ...options.env, ...marker.env } : options.env,
      user: options.user,
    });
    if (child.pid !== undefined) marker?.spawned(child.pid);
    let timedOut = false;
    child.stdout?.on("data", (chunk: Buffer) => log.write(chunk));
    child.stderr?.on("data", (chunk: Buffer) => log.write(chunk));
    const stop = () => {
      if (child.pid !== undefined) void stopGroup(child.pid, STOP_GRACE_MS);
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs);
    signal.addEventListener("abort", stop, { once: true });
    child.once("error", (error) => log.note(`${label} could not start: ${error.message}`));
    child.once("close", (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
      // Nothing the command started may outlive it.
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      marker?.ended();
      const ok = code === 0 && !timedOut;
      const how = timedOut ? `timed out after ${options.timeoutMs}ms` : (sig ?? `exit code ${code}`);
      log.note(`${label} ${ok ? "finished" : `failed (${how})`}`);
      resolve({ ok, code, signal: sig, timedOut });
    });
  });
}
