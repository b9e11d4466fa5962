import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { GitError, git, gitBuffer } from "../git/git.js";

/** The repository's top level, or undefined when `dir` is not inside a git work tree. */
export async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    return await git(["rev-parse", "--show-toplevel"], { cwd: dir });
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}

function splitZ(out: string): string[] {
  return [...new Set(out.split("\0").filter((p) => p.length > 0))];
}

/** What the checks read: files git tracks plus untracked files that are not ignored, relative to `dir`. */
export async function workingTreeFiles(dir: string): Promise<string[]> {
  return splitZ(await git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: dir }));
}

/** Files with staged additions or changes (not deletions), relative to `dir`. */
export async function stagedFiles(dir: string): Promise<string[]> {
  return splitZ(
    await git(["diff", "--cached", "--name-only", "--relative", "-z", "--diff-filter=ACMR"], { cwd: dir }),
  );
}

/** The staged (index) content of `paths`, read in one `git cat-file --batch`. */
export async function stagedContents(
  dir: string,
  paths: readonly string[],
): Promise<Array<{ path: string; bytes: Buffer }>> {
  if (paths.length === 0) return [];
  const out = await gitBuffer(["cat-file", "--batch"], {
    cwd: dir,
    input: paths.map((p) => `:./${p}\n`).join(""),
  });
  const files: Array<{ path: string; bytes: Buffer }> = [];
  let at = 0;
  for (const path of paths) {
    const headerEnd = out.indexOf(10, at);
    const header = out.toString("utf8", at, headerEnd).split(" ");
    at = headerEnd + 1;
    if (header[1] === "missing" || header.length < 3) continue;
    const size = Number(header[2]);
    files.push({ path, bytes: out.subarray(at, at + size) });
    at += size + 1;
  }
  return files;
}

/** Outside git: every file under `dir`, except .git and node_modules directories. */
export function walkFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== ".git" && entry.name !== "node_modules") walk(path);
      } else if (entry.isFile()) {
        files.push(relative(dir, path).split("\\").join("/"));
      }
    }
  };
  walk(dir);
  return files;
}
