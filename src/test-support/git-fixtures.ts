import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";
import { git } from "../git/git.js";

/** A function that makes temp dirs, each removed after the test that made it. */
export function useTempDirs(): (prefix?: string) => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix = "skiff-test-") => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/** Writes files (paths relative to dir), creating folders on the way. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A fresh repository on branch `main` with a local identity, independent of the user's git config. */
export async function initRepo(dir: string, options: { bare?: boolean } = {}): Promise<string> {
  await git(["init", "--quiet", "--initial-branch=main", ...(options.bare ? ["--bare"] : []), dir], {
    cwd: dir,
  });
  if (!options.bare) {
    await git(["config", "user.name", "Test Author"], { cwd: dir });
    await git(["config", "user.email", "author@example.test"], { cwd: dir });
    await git(["config", "commit.gpgsign", "false"], { cwd: dir });
    await git(["config", "tag.gpgsign", "false"], { cwd: dir });
  }
  return dir;
}

/** Commits (optionally writing files first) and returns the new commit's sha. */
export async function commit(
  dir: string,
  message: string,
  files: Record<string, string> = {},
): Promise<string> {
  writeFiles(dir, files);
  await git(["add", "-A"], { cwd: dir });
  await git(["commit", "--quiet", "--allow-empty", "-m", message], { cwd: dir });
  return git(["rev-parse", "HEAD"], { cwd: dir });
}

export async function tag(dir: string, name: string, ref = "HEAD"): Promise<void> {
  await git(["tag", "--annotate", "-m", name, name, ref], { cwd: dir });
}
