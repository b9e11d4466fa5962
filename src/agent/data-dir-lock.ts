import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { OperationError } from "../errors.js";

/**
 * One agent per data directory. A second agent on the same directory would take the first one's
 * running instances for leftovers of a crash and stop them, so it refuses to start instead. The lock
 * is a file holding the owner's pid; a pid that is gone (a kill -9'd agent) leaves a stale lock,
 * which the next agent takes over. `takeOverFrom`: the pid of the agent this one replaces (a reload).
 */
export function lockDataDir(file: string, dataDir: string, takeOverFrom?: number): () => void {
  try {
    // Exclusive create: of two agents starting at once, one gets the file.
    writeFileSync(file, `${process.pid}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const holder = readHolder(file);
    // A reload: the agent that started this one hands the directory over once this one is ready.
    const handedOver = holder !== undefined && holder === takeOverFrom;
    if (holder !== undefined && holder !== process.pid && !handedOver && isAgent(holder)) {
      throw new OperationError(`--data-dir ${dataDir}: another skiff agent (pid ${holder}) is using it`, {
        hint: `stop that agent first (kill ${holder}), or give this one its own --data-dir; if no agent runs there, remove ${file}`,
      });
    }
    writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  }
  return () => {
    if (readHolder(file) === process.pid) rmSync(file, { force: true });
  };
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive, and (where /proc tells) a skiff agent rather than an unrelated process that reused the pid. */
function isAgent(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("agent");
  } catch {
    return true;
  }
}
