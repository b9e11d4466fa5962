import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentInfo } from "../agent/agent.js";
import { OperationError, UsageError } from "../errors.js";
import { Output } from "./output.js";

/** Long enough for a new agent that must cold-start apps whose processes did not survive. */
const RELOAD_TIMEOUT_MS = 150_000;
const POLL_MS = 100;

/**
 * SIGHUP to the agent DATA_DIR/agent.json names, then waits until agent.json names the new agent
 * (printed: its pid, version and start time) or says the reload failed (exit 1 with the reason).
 */
export async function reloadAgent(dataDir: string, json: boolean): Promise<void> {
  const file = join(dataDir, "agent.json");
  const before = readInfo(file);
  if (!before) throw new UsageError(`--data-dir ${dataDir}: no agent runs there (no agent.json)`);
  const sent = Date.now();
  try {
    process.kill(before.pid, "SIGHUP");
  } catch (error) {
    throw new OperationError(`could not signal the agent (pid ${before.pid}): ${(error as Error).message}`);
  }
  const deadline = sent + RELOAD_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const now = readInfo(file);
    if (now && now.pid !== before.pid) {
      const output = new Output({ json });
      output.result({ from: before.pid, pid: now.pid, version: now.version, startedAt: now.startedAt });
      output.line(
        `agent reloaded: pid ${before.pid} → ${now.pid}, version ${now.version}, started ${now.startedAt}`,
      );
      return;
    }
    const failed = now?.reloadFailed;
    if (failed && Date.parse(failed.at) >= sent) {
      throw new OperationError(`the reload failed: ${failed.reason}`, {
        hint: `the agent (pid ${before.pid}) keeps serving; its log says more`,
      });
    }
  }
  throw new OperationError(`no new agent after ${RELOAD_TIMEOUT_MS / 1000}s`, {
    hint: `the agent (pid ${before.pid}) keeps serving; its log says more`,
  });
}

function readInfo(file: string): AgentInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as AgentInfo;
  } catch {
    return undefined;
  }
}
