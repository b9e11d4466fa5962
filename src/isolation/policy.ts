import { UsageError } from "../errors.js";

/** `--isolation`: auto (on when the agent runs as root), on (required: refuse to start otherwise), off. */
export type IsolationFlag = "auto" | "on" | "off";

export const ISOLATION_FLAGS: readonly IsolationFlag[] = ["auto", "on", "off"];

export interface IsolationMode {
  enabled: boolean;
  /** Why, in words `skiff status` shows. */
  reason: string;
}

/**
 * Pure. Whether apps run as their own users. Only root can switch users (setuid) and hand files to
 * another owner (chown), so without root isolation cannot be had and apps run as the agent's user.
 */
export function isolationMode(flag: IsolationFlag, euid: number | undefined): IsolationMode {
  const root = euid === 0;
  if (flag === "off")
    return { enabled: false, reason: "off (--isolation off): apps run as the agent's user" };
  if (root)
    return { enabled: true, reason: "on: each app runs as its own system user (skiff-<app> or user:)" };
  const who =
    euid === undefined ? "this platform has no user ids" : `the agent runs as uid ${euid}, not root`;
  if (flag === "on")
    throw new UsageError(
      `--isolation on: ${who}, so it cannot run apps as other users`,
      "run the agent as root (skiff agent --print-systemd-unit), or use --isolation auto",
    );
  return { enabled: false, reason: `off: ${who}, so apps run as the agent's user` };
}

export function parseIsolationFlag(value: string): IsolationFlag {
  if ((ISOLATION_FLAGS as readonly string[]).includes(value)) return value as IsolationFlag;
  throw new UsageError(`--isolation ${value}: expected one of ${ISOLATION_FLAGS.join(", ")}`);
}
