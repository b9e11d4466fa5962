import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { OperationError } from "../errors.js";
import { GitError, git, gitBuffer } from "../git/git.js";
import { withoutCredentials } from "../git/history.js";
import { type CommitInfo, commitInfo } from "../git/repo.js";

/**
 * The agent's copy of an app's repository: a bare mirror under the data dir, fetched before each
 * webhook deploy. git's own messages explain failures; credentials never reach them.
 */
export async function fetchMirror(mirror: string, repo: string): Promise<void> {
  try {
    if (!existsSync(mirror)) {
      mkdirSync(dirname(mirror), { recursive: true });
      await git(["clone", "--mirror", "--quiet", repo, mirror], { cwd: dirname(mirror) });
      return;
    }
    await git(["remote", "set-url", "origin", repo], { cwd: mirror });
    await git(["fetch", "--prune", "--quiet", "origin"], { cwd: mirror });
  } catch (error) {
    throw gitFailure(`fetching ${withoutCredentials(repo)}`, error);
  }
}

/** The commit `sha` of the mirror, archived as .tar.gz bytes, with its metadata. */
export async function archiveCommit(
  mirror: string,
  sha: string,
): Promise<{ tarball: Buffer; commit: CommitInfo }> {
  try {
    await git(["cat-file", "-e", `${sha}^{commit}`], { cwd: mirror });
  } catch (error) {
    throw gitFailure(`commit ${sha} is not in the repository`, error);
  }
  const [tarball, commit] = await Promise.all([
    gitBuffer(["archive", "--format=tar.gz", sha], { cwd: mirror }),
    commitInfo(mirror, sha),
  ]);
  return { tarball, commit };
}

function gitFailure(what: string, error: unknown): unknown {
  if (!(error instanceof GitError)) return error;
  const reason = withoutCredentials(error.stderr.trim().split("\n").slice(-2).join(" ")) || "git failed";
  return new OperationError(`${what}: ${reason}`);
}
