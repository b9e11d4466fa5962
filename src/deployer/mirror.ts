import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { OperationError } from "../errors.js";
import { GitError, git, gitBuffer } from "../git/git.js";
import { withoutCredentials } from "../git/history.js";
import { type CommitInfo, commitInfo } from "../git/repo.js";
import type { CommitGraph } from "../webhooks/push-order.js";

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

/** Throws, with git's reason, unless `sha` is a commit of the mirror. */
export async function assertCommit(mirror: string, sha: string): Promise<void> {
  try {
    await git(["cat-file", "-e", `${sha}^{commit}`], { cwd: mirror });
  } catch (error) {
    throw gitFailure(`commit ${sha} is not in the repository`, error);
  }
}

/** The commit `branch` points at in the mirror; undefined when the branch is not there. */
export async function branchTip(mirror: string, branch: string): Promise<string | undefined> {
  try {
    return await git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], { cwd: mirror });
  } catch {
    return undefined;
  }
}

/** The mirror's history, for the order of pushes (src/webhooks/push-order.ts). */
export function mirrorGraph(mirror: string): CommitGraph {
  return {
    async isAncestor(ancestor, descendant) {
      if (ancestor === descendant) return true;
      try {
        await git(["merge-base", "--is-ancestor", ancestor, descendant], { cwd: mirror });
        return true;
      } catch {
        // Exit 1: not an ancestor. Anything else (a commit the mirror lacks): not one it can show.
        return false;
      }
    },
  };
}

/** The commit `sha` of the mirror, archived as .tar.gz bytes, with its metadata. */
export async function archiveCommit(
  mirror: string,
  sha: string,
): Promise<{ tarball: Buffer; commit: CommitInfo }> {
  await assertCommit(mirror, sha);
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
