import { spawn } from "node:child_process";
import { appEnvironment } from "../runtime/instance.js";
import type { LogFile } from "../runtime/log-file.js";
import { signalGroup, stopGroup } from "../runtime/process-group.js";
import type { TaskMarker } from "../runtime/task-marker.js";

export interface BuildResult {
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs the `build:` command in the release directory with the app's env, its output going to the release
 * log. Aborting kills the whole build (npm and everything it started). `task` marks its processes, so
 * that an agent restarted after a crash stops a build its predecessor left running.
 */
export function runBuild(
  command: string,
  dir: string,
  env: Record<string, string>,
  log: LogFile,
  signal: AbortSignal,
  task?: TaskMarker,
): Promise<BuildResult> {
  log.note(`build: ${command}`);
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: dir,
      env: appEnvironment({ ...env, ...task?.env }),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid !== undefined) task?.spawned(child.pid);
    child.stdout.on("data", (chunk: Buffer) => log.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => log.write(chunk));
    const abort = () => {
      if (child.pid !== undefined) void stopGroup(child.pid, 2_000);
    };
    signal.addEventListener("abort", abort, { once: true });
    child.once("error", (error) => log.note(`build could not start: ${error.message}`));
    child.once("close", (code, sig) => {
      signal.removeEventListener("abort", abort);
      // Nothing the build started may outlive it.
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      task?.ended();
      log.note(`build ${code === 0 ? "finished" : `failed (${sig ?? `exit code ${code}`})`}`);
      resolve({ ok: code === 0, code, signal: sig });
    });
  });
}
