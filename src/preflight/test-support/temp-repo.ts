import { execFileSync } from "node:child_process";
import { writeFiles } from "../../test-support/git-fixtures.js";

export { useTempDirs, writeFiles } from "../../test-support/git-fixtures.js";

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
export function makeRepo(tempDir: (prefix?: string) => string, files: Record<string, string> = {}): string {
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
