import { constants } from "node:os";

/**
 * Pure. The exit status a shell would give a command that ended this way: its own code, or 128 + the
 * number of the signal that killed it (SIGINT 130, SIGKILL 137, SIGTERM 143).
 */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : constants.signals[signal];
  return number === undefined ? 1 : 128 + number;
}

/**
 * Pure. The exit status of a command that could not be started, as shells and `docker run` give it:
 * 127 when there is no such program, 126 when it exists but cannot be executed (permissions, a
 * directory, a bad interpreter).
 */
export function spawnFailureStatus(errorCode: string | undefined): 126 | 127 {
  return errorCode === "ENOENT" ? 127 : 126;
}
