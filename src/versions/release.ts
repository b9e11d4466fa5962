import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OperationError } from "../errors.js";
import { GitError, git } from "../git/git.js";
import { defaultRemote, tagTarget, withoutCredentials } from "../git/history.js";
import { CHANGELOG_FILE, prependChangelogSection } from "./changelog.js";
import { releaseCommitMessage } from "./conventional.js";

export interface PreparedRelease {
  /** The commit to deploy and tag: HEAD after the changelog commit (or HEAD as it was). */
  sha: string;
  /** False when CHANGELOG.md already held this exact section. */
  committed: boolean;
  file: string;
}

/**
 * Writes `section` at the top of DIR/CHANGELOG.md and commits that file alone as
 * `chore(release): vX.Y.Z` on the checked-out branch, so the commit that gets deployed and tagged
 * carries its own changelog. Other changes in the work tree, staged or not, stay out of the commit.
 */
export async function prepareRelease(
  dir: string,
  release: { version: string; section: string },
): Promise<PreparedRelease> {
  const file = join(dir, CHANGELOG_FILE);
  const existing = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  await writeFile(file, prependChangelogSection(existing, release.section));
  const changed = await git(["status", "--porcelain", "--", CHANGELOG_FILE], { cwd: dir });
  if (changed) {
    const env = await identityEnv(dir);
    await git(["add", "--", CHANGELOG_FILE], { cwd: dir });
    // --no-verify: the commit holds only the changelog we just wrote; the user's hooks checked the code.
    await git(
      ["commit", "--quiet", "--no-verify", "-m", releaseCommitMessage(release.version), "--", CHANGELOG_FILE],
      {
        cwd: dir,
        env,
      },
    );
  }
  const sha = await git(["rev-parse", "HEAD"], { cwd: dir });
  return { sha, committed: Boolean(changed), file };
}

export interface TaggedRelease {
  tag: string;
  sha: string;
  /** False when the tag already pointed at this commit. */
  created: boolean;
  /** The remote the tag was pushed to; undefined when the repo has no remote. */
  pushedTo: string | undefined;
}

/**
 * Creates the annotated tag vX.Y.Z on `sha` (the changelog section as its message) and pushes it to
 * `origin` (or the only remote) when there is one. Safe to repeat: a tag already on `sha` is kept.
 */
export async function tagRelease(
  dir: string,
  release: { version: string; sha: string; section: string },
): Promise<TaggedRelease> {
  const tag = `v${release.version}`;
  const existing = await tagTarget(dir, tag);
  if (existing && existing !== release.sha) {
    throw new OperationError(
      `tag ${tag} already exists on ${existing.slice(0, 12)}, not on ${release.sha.slice(0, 12)}`,
      {
        hint: `delete it (git tag -d ${tag}) if it is wrong, or release a higher version`,
      },
    );
  }
  if (!existing) {
    // verbatim: the message is markdown, whose `## ` headings git would otherwise strip as comments.
    await git(["tag", "--annotate", "--cleanup=verbatim", "--file=-", tag, release.sha], {
      cwd: dir,
      input: `${tag}\n\n${release.section}`,
      env: await identityEnv(dir),
    });
  }
  const remote = await defaultRemote(dir);
  if (remote) await pushTag(dir, remote, tag);
  return { tag, sha: release.sha, created: !existing, pushedTo: remote };
}

/** `skiff version` without --dry-run: changelog commit on HEAD, then the tag on that commit. */
export async function cutRelease(
  dir: string,
  release: { version: string; section: string },
): Promise<PreparedRelease & TaggedRelease> {
  const prepared = await prepareRelease(dir, release);
  const tagged = await tagRelease(dir, { ...release, sha: prepared.sha });
  return { ...prepared, ...tagged };
}

async function pushTag(dir: string, remote: string, tag: string): Promise<void> {
  try {
    await git(["push", "--quiet", remote, `refs/tags/${tag}:refs/tags/${tag}`], { cwd: dir });
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new OperationError(`could not push tag ${tag} to ${remote}`, {
      details: withoutCredentials(error.stderr).trim().split("\n").slice(-5),
      hint: `the tag exists locally; push it yourself with \`git push ${remote} ${tag}\``,
    });
  }
}

/**
 * Commits and annotated tags need an identity; CI runners often have none configured. Use the
 * configured one when there is one, else a neutral "skiff" identity rather than failing the release.
 */
async function identityEnv(dir: string): Promise<NodeJS.ProcessEnv | undefined> {
  try {
    await git(["var", "GIT_COMMITTER_IDENT"], { cwd: dir });
    await git(["var", "GIT_AUTHOR_IDENT"], { cwd: dir });
    return undefined;
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const name = "skiff";
    const email = "skiff@localhost";
    return {
      GIT_AUTHOR_NAME: name,
      GIT_AUTHOR_EMAIL: email,
      GIT_COMMITTER_NAME: name,
      GIT_COMMITTER_EMAIL: email,
    };
  }
}
