import type { AppUser } from "../isolation/users.js";
import type { LogFile } from "../runtime/log-file.js";
import { type OneShotMarker, type OneShotResult, runOneShot } from "../runtime/one-shot.js";

export type BuildResult = OneShotResult;

/**
 * Runs one of skiff.yml's commands that run to their end before the release starts (`install:`,
 * `build:`, `release:`) in the release directory, with the release's environment, its output going to
 * the release log. Aborting kills the whole command (npm and everything it started); `timeoutMs` does the
 * same past a limit. `marker` lets an agent restarted after a crash stop what its predecessor left
 * running (src/runtime/one-shot.ts).
 */
export function runBuild(
  command: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  log: LogFile,
  signal: AbortSignal,
  options: { label?: string; timeoutMs?: number; marker?: OneShotMarker; user?: AppUser | undefined } = {},
): Promise<BuildResult> {
  return runOneShot(command, {
    label: options.label ?? "build",
    cwd: dir,
    env,
    log,
    signal,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.marker ? { marker: options.marker } : {}),
    user: options.user,
  });
}
