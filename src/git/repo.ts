import { UsageError } from "../errors.js";
import { GitError, git } from "./git.js";

export interface CommitInfo {
  sha: string;
  message: string;
  author: string;
  authorEmail: string;
  /** ISO 8601 commit time (committer date). */
  committedAt: string;
}

/** The repository's top-level directory; a clear usage error when DIR is not in a git repo. */
export async function repoRoot(dir: string): Promise<string> {
  try {
    return await git(["rev-parse", "--show-toplevel"], { cwd: dir });
  } catch (error) {
    if (error instanceof GitError)
      throw new UsageError(
        `${dir} is not inside a git repository`,
        "run `git init` and commit your app first",
      );
    throw error;
  }
}

export async function commitInfo(dir: string, ref = "HEAD"): Promise<CommitInfo> {
  let out: string;
  try {
    out = await git(["log", "-1", "--format=%H%x00%an%x00%ae%x00%cI%x00%B", ref, "--"], { cwd: dir });
  } catch (error) {
    if (error instanceof GitError)
      throw new UsageError(`--ref ${ref}: not a commit in ${dir}`, error.stderr.trim());
    throw error;
  }
  const [sha = "", author = "", authorEmail = "", committedAt = "", ...body] = out.split("\0");
  return {
    sha,
    author,
    authorEmail,
    committedAt: new Date(committedAt).toISOString(),
    message: body.join("\0").trim(),
  };
}

/** Paths with uncommitted changes (staged, unstaged or untracked, not ignored). */
export async function uncommittedPaths(dir: string): Promise<string[]> {
  const out = await git(["status", "--porcelain=v1", "-z", "--untracked-files=all"], { cwd: dir });
  return out
    .split("\0")
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
}
