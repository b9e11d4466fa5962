import { type ChildProcess, spawn } from "node:child_process";
import { closeInheritedPrefix } from "./inherited-fds.js";

export interface AppSpawnOptions {
  /** The release directory. */
  cwd: string;
  /** From processEnvironment (process-env.ts). */
  env: NodeJS.ProcessEnv;
  /** The app's own user when apps are isolated (src/isolation/); the agent's user when absent. */
  user?: { uid: number; gid: number } | undefined;
  /**
   * A file descriptor for stdout and stderr instead of pipes: an instance writes straight into its log
   * (O_APPEND) so it outlives the agent (a reload, a crash) without a pipe breaking under it.
   */
  output?: number;
}

/**
 * The one place an app's code is started: instances, the install, build and release commands, and
 * one-off commands. Each runs in its own process group (detached), so a stop reaches the shell, the
 * app and everything they forked; stdout and stderr are pipes the caller sends to a log, or `output`.
 * A command string (skiff.yml's) runs through `sh -c`; an argument list (`skiff run -- CMD ARGS…`) is
 * run as given, never interpreted by a shell. The listening sockets the agent inherited are closed
 * first (inherited-fds.ts; for an argument list by a shell that only closes them and execs it). With
 * `user`, the process runs as that uid and gid, with no supplementary groups (libuv drops them when
 * it switches user).
 */
export function spawnApp(command: string | string[], options: AppSpawnOptions): ChildProcess {
  const close = closeInheritedPrefix();
  const [file, args] =
    typeof command === "string"
      ? ["/bin/sh", ["-c", close + command]]
      : close
        ? ["/bin/sh", ["-c", `${close}exec "$@"`, "sh", ...command]]
        : [command[0] ?? "", command.slice(1)];
  const out = options.output ?? "pipe";
  return spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", out, out],
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
}
