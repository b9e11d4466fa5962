import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { SkiffError, UsageError } from "../errors.js";

/** A git command that exited non-zero; the message carries git's own stderr. */
export class GitError extends SkiffError {
  readonly args: string[];
  readonly stderr: string;

  constructor(args: string[], code: number | null, stderr: string) {
    const reason = stderr.trim().split("\n").slice(-3).join("\n") || `exit code ${code}`;
    super(`git ${args[0] ?? ""} failed: ${reason}`, 1);
    this.args = args;
    this.stderr = stderr;
  }
}

export interface GitOptions {
  cwd: string;
  /** Bytes to write to git's stdin. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
}

/** Runs git and resolves to its stdout as a Buffer; rejects with GitError on a non-zero exit. */
export function gitBuffer(args: string[], options: GitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(spawnError(error, options.cwd));
    });
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitError(args, code, Buffer.concat(err).toString("utf8")));
    });
    child.stdin.end(options.input);
  });
}

/** Runs git and resolves to its stdout as text, without the trailing newline. */
export async function git(args: string[], options: GitOptions): Promise<string> {
  return (await gitBuffer(args, options)).toString("utf8").replace(/\n$/, "");
}

/**
 * Runs git and hands each line of stdout to `onLine` as it arrives: for output too large to hold,
 * like `git log -p` over a whole history. Rejects with GitError on a non-zero exit.
 */
export function gitEachLine(
  args: string[],
  options: GitOptions,
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const err: Buffer[] = [];
    let rest = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) onLine(line);
    });
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(spawnError(error, options.cwd));
    });
    child.on("close", (code) => {
      if (rest) onLine(rest);
      if (code === 0) resolve();
      else reject(new GitError(args, code, Buffer.concat(err).toString("utf8")));
    });
  });
}

/** ENOENT from spawn is a missing working directory as often as a missing git: say which. */
function spawnError(error: NodeJS.ErrnoException, cwd: string | undefined): Error {
  if (error.code !== "ENOENT") return error;
  if (cwd !== undefined && !existsSync(cwd)) return new UsageError(`${cwd}: no such directory`);
  return new UsageError("git is not installed or not on PATH");
}
