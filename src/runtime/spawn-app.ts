import { type ChildProcess, spawn } from "node:child_process";

export interface AppSpawnOptions {
  /** The release directory. */
  cwd: string;
  /** From processEnvironment (process-env.ts). */
  env: NodeJS.ProcessEnv;
}

/**
 * The one place an app's code is started: instances, the install, build and release commands. Each
 * runs through `sh -c` in its own process group (detached), so a stop reaches the shell, the app and
 * everything they forked; stdout and stderr are pipes the caller sends to a log. Running apps as
 * another user (a uid and gid here) belongs in this function.
 */
export function spawnApp(command: string, options: AppSpawnOptions): ChildProcess {
  return spawn("/bin/sh", ["-c", command], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
}
