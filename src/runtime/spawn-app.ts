import { type ChildProcess, spawn } from "node:child_process";
import { closeInheritedPrefix } from "./inherited-fds.js";

export interface AppSpawnOptions {
  /** The release directory. */
  cwd: string;
  /** From processEnvironment (process-env.ts). */
  env: NodeJS.ProcessEnv;
  /**
   * A file descriptor for stdout and stderr instead of pipes: an instance writes straight into its log
   * (O_APPEND) so it outlives the agent (a reload, a crash) without a pipe breaking under it.
   */
  output?: number;
}

/**
 * The one place an app's code is started: instances, the install, build and release commands. Each
 * runs through `sh -c` in its own process group (detached), so a stop reaches the shell, the app and
 * everything they forked; stdout and stderr are pipes the caller sends to a log, or `output`. The
 * listening sockets the agent inherited are closed first (inherited-fds.ts). Running apps as
 * another user (a uid and gid here) belongs in this function.
 */
export function spawnApp(command: string, options: AppSpawnOptions): ChildProcess {
  const out = options.output ?? "pipe";
  return spawn("/bin/sh", ["-c", closeInheritedPrefix() + command], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", out, out],
  });
}
