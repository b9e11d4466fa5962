import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Every instance runs in its own process group (spawned detached), so a shell wrapper, the app and
 * anything it forks get a signal together and nothing is left behind holding the port.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** SIGTERM the group, wait up to `timeoutMs` for every member to exit, then SIGKILL. Resolves once gone. */
export async function stopGroup(pgid: number, timeoutMs: number): Promise<"exited" | "killed"> {
  if (!signalGroup(pgid, "SIGTERM")) return "exited";
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return "exited";
    await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
  }
  signalGroup(pgid, "SIGKILL");
  for (let i = 0; i < 40 && groupAlive(pgid); i++) await sleep(25);
  return "killed";
}

/**
 * Process groups holding a process whose environment carries one of `markers` (SKIFF_INSTANCE=…).
 * Found by reading /proc, so a group is found even when its leader died, and a pid reused by an
 * unrelated process is never mistaken for ours.
 */
export function groupsWithMarkers(markers: ReadonlySet<string>): Map<string, number> {
  const found = new Map<string, number>();
  if (markers.size === 0) return found;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const marker = markerOf(pid, markers);
    if (!marker) continue;
    const pgid = processGroupOf(pid);
    if (pgid !== undefined && pgid !== process.pid) found.set(marker, pgid);
  }
  return found;
}

function markerOf(pid: number, markers: ReadonlySet<string>): string | undefined {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, "latin1");
    return environ.split("\0").find((entry) => markers.has(entry));
  } catch {
    return undefined;
  }
}

function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[2]);
  } catch {
    return undefined;
  }
}
