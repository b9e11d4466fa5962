import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stopGroup } from "../runtime/process-group.js";
import { fingerprint } from "./fingerprint.js";
import { lineOf } from "./line-of.js";
import type { CommandResult, Finding } from "./types.js";

export interface CommandSpec {
  name: string;
  run: string;
  /** Where it is defined, for the finding's location. */
  file: string;
  line: number;
}

/** Lines of output kept for a failed command. */
export const TAIL_LINES = 30;
/** Bytes of output kept while a command runs (enough for 30 long lines). */
const TAIL_BYTES = 64 * 1024;
/** After SIGTERM (a timeout, or children left behind at exit), how long before SIGKILL. */
const KILL_GRACE_MS = 2000;

const DEFAULT_SCRIPTS = ["lint", "typecheck", "test"];

/** `preflight.commands` from skiff.yml, else the lint, typecheck and test scripts of package.json. */
export function resolveCommands(
  root: string,
  configured: Array<{ name: string; run: string }> | undefined,
): CommandSpec[] {
  if (configured) {
    return configured.map((c) => ({ ...c, file: "skiff.yml", line: lineOf(root, "skiff.yml", c.run) }));
  }
  const packageFile = join(root, "package.json");
  if (!existsSync(packageFile)) return [];
  let scripts: Record<string, unknown> = {};
  try {
    scripts =
      (JSON.parse(readFileSync(packageFile, "utf8")) as { scripts?: Record<string, unknown> }).scripts ?? {};
  } catch {
    return [];
  }
  return DEFAULT_SCRIPTS.filter((name) => typeof scripts[name] === "string").map((name) => ({
    name,
    run: `npm run ${name}`,
    file: "package.json",
    line: lineOf(root, "package.json", `"${name}":`),
  }));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes from tool output
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Keeps the end of a stream of output without holding all of it. */
class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= TAIL_BYTES) this.size -= this.chunks.shift()!.length;
  }

  lines(): string[] {
    const text = Buffer.concat(this.chunks).toString("utf8").replace(ANSI_ESCAPE, "");
    return text.replace(/\n+$/, "").split("\n").slice(-TAIL_LINES);
  }
}

/**
 * Runs one command in its own process group, stopped as a whole (SIGTERM, then SIGKILL after a grace
 * period) when it times out and when it exits: a gate command's background children must not outlive
 * it, holding a port or writing into the tree. Resolves once nothing of the group runs.
 */
export function runCommand(spec: CommandSpec, root: string, timeoutMs: number): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", spec.run], {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tail = new OutputTail();
    child.stdout.on("data", (chunk: Buffer) => tail.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => tail.push(chunk));
    let timedOut = false;
    let stopped: Promise<unknown> = Promise.resolve();
    let stopping = false;
    const stop = () => {
      if (stopping || child.pid === undefined) return;
      stopping = true;
      stopped = stopGroup(child.pid, KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    let durationMs: number | undefined;
    let finished = false;
    const done = async (exitCode: number | null, error?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (error) tail.push(Buffer.from(`${error.message}\n`));
      await stopped;
      resolve({
        name: spec.name,
        command: spec.run,
        ok: exitCode === 0 && !timedOut,
        exitCode,
        durationMs: durationMs ?? Math.round(performance.now() - started),
        timedOut,
        tail: tail.lines(),
      });
    };
    child.on("error", (error) => void done(null, error));
    // The shell is done; what it left running in the background is stopped before the output closes.
    child.on("exit", () => {
      durationMs = Math.round(performance.now() - started);
      stop();
    });
    child.on("close", (code) => void done(code));
  });
}

export function commandFinding(spec: CommandSpec, result: CommandResult): Finding {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const why = result.timedOut
    ? `timed out after ${seconds}s`
    : `failed (exit code ${result.exitCode}) after ${seconds}s`;
  return {
    check: "commands",
    rule: "command-failed",
    severity: "error",
    file: spec.file,
    line: spec.line,
    column: 1,
    message: `${spec.name}: \`${spec.run}\` ${why}`,
    hint: "fix what it reports (its last lines are below), then run preflight again",
    fingerprint: fingerprint("commands", "command-failed", spec.file, spec.run),
    details: result.tail,
  };
}
