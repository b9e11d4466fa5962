import { UsageError } from "../errors.js";
import { GitError, git } from "./git.js";
import type { CommitInfo } from "./repo.js";

const FIELD = "\x1f";

/**
 * The commits reachable from `until` but not from `since` (all of them without `since`), newest first,
 * merge commits left out (their branches' commits are listed themselves).
 */
export async function commitsBetween(
  dir: string,
  since: string | undefined,
  until = "HEAD",
): Promise<CommitInfo[]> {
  const range = since ? `${since}..${until}` : until;
  let out: string;
  try {
    out = await git(
      ["log", "-z", "--no-merges", `--format=%H${FIELD}%an${FIELD}%ae${FIELD}%cI${FIELD}%B`, range, "--"],
      {
        cwd: dir,
      },
    );
  } catch (error) {
    if (error instanceof GitError) {
      throw new UsageError(
        `cannot list the commits ${range} in ${dir}: ${error.stderr.trim().split("\n")[0]}`,
        since
          ? `is ${since.slice(0, 12)} in this clone? try \`git fetch --tags\` (CI: checkout with fetch-depth: 0)`
          : undefined,
      );
    }
    throw error;
  }
  return out
    .split("\0")
    .filter((record) => record.trim())
    .map((record) => {
      const [sha = "", author = "", authorEmail = "", committedAt = "", ...body] = record.split(FIELD);
      return {
        sha: sha.trim(),
        author,
        authorEmail,
        committedAt: new Date(committedAt).toISOString(),
        message: body.join(FIELD).trim(),
      };
    });
}

export interface TagRef {
  name: string;
  /** The commit the tag points at (peeled through annotated tags). */
  sha: string;
}

/** Tags matching a glob that are reachable from `ref`. */
export async function tagsReachableFrom(dir: string, ref: string, pattern: string): Promise<TagRef[]> {
  const out = await git(
    [
      "for-each-ref",
      "--merged",
      ref,
      "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
      `refs/tags/${pattern}`,
    ],
    { cwd: dir },
  );
  return out
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name = "", object = "", peeled = ""] = line.split("\0");
      return { name, sha: peeled || object };
    });
}

/** The commit a tag points at, or undefined when there is no such tag. */
export async function tagTarget(dir: string, tag: string): Promise<string | undefined> {
  try {
    return await git(["rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`], { cwd: dir });
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}

/** The remote to push to: `origin` when there is one, else the only remote; undefined without remotes. */
export async function defaultRemote(dir: string): Promise<string | undefined> {
  const remotes = (await git(["remote"], { cwd: dir })).split("\n").filter(Boolean);
  return remotes.includes("origin") ? "origin" : remotes[0];
}

/** `git remote get-url` with any user:password@ part removed, so it can be shown or written down. */
export async function remoteUrl(dir: string, remote: string): Promise<string | undefined> {
  try {
    return withoutCredentials(await git(["remote", "get-url", remote], { cwd: dir }));
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}

/**
 * Removes credentials from URLs in a text (git messages can echo a remote's URL): any user part of an
 * http(s) URL (it is a token more often than not), and `user:password@` in other schemes, keeping the
 * plain `ssh://git@host` user that ssh needs.
 */
export function withoutCredentials(text: string): string {
  return text
    .replace(/(https?:\/\/)[^/@\s]*@/gi, "$1")
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]*:[^/@\s]*@/gi, "$1");
}
