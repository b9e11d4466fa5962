import { type ChildProcess, spawn } from "node:child_process";

export interface AppSpawnOptions {
  /** The release directory. */
  cwd: string;
  /** From processEnvironment (process-env.ts). */
  env: NodeJS.ProcessEnv;
  /** The app's own user when apps are isolated (src/isolation/); the agent's user when absent. */
  user?: { uid: number; gid: number } | undefined;
}

/**
 * The one place an app's code is started: instances, the install, build and release commands, and
 * one-off commands. Each runs in its own process group (detached), so a stop reaches the shell, the
 * app and everything they forked; stdout and stderr are pipes the caller sends to a log. A command
 * string (skiff.yml's) runs through `sh -c`; an argument list (`skiff run -- CMD ARGS…`) is run as
 * given, never through a shell. With `user`, the process runs as that uid and gid, with no
 * supplementary groups (libuv drops them when it switches user).
 */
export function spawnApp(command: string | string[], options: AppSpawnOptions): ChildProcess {
  const [file, args] =
    typeof command === "string" ? ["/bin/sh", ["-c", command]] : [command[0] ?? "", command.slice(1)];
  return spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
}
