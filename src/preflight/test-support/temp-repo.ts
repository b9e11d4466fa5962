import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

/** Temp directories for one test file, removed after each test. */
export function useTempDirs(): (prefix?: string) => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix = "skiff-preflight-") => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Runs git in `dir` with a fixed identity; returns its trimmed stdout. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@localhost",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@localhost",
      GIT_CONFIG_NOSYSTEM: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** A git repository in a fresh temp dir with `files` committed (nothing committed when empty). */
export function makeRepo(
  tempDir: (prefix?: string) => string,
  files: Record<string, string | Buffer> = {},
): string {
  const dir = tempDir();
  gitIn(dir, "init", "-q", "-b", "main");
  writeFiles(dir, files);
  if (Object.keys(files).length > 0) commitAll(dir, "initial");
  return dir;
}

export function commitAll(dir: string, message: string): string {
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "-q", "--no-verify", "-m", message);
  return gitIn(dir, "rev-parse", "HEAD");
}
