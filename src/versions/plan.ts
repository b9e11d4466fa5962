import semver from "semver";
import { commitsBetween } from "../git/history.js";
import { type CommitInfo, commitInfo } from "../git/repo.js";
import { type BumpKind, nextVersion } from "./bump.js";
import { renderChangelogSection } from "./changelog.js";
import { type ConventionalCommit, isReleaseCommit, parseCommitMessage } from "./conventional.js";
import { withoutReverted } from "./reverts.js";
import { lastVersionTag } from "./tags.js";

/** What the agent recorded for the app's last production deploy. */
export interface DeployedVersion {
  version: string;
  sha: string;
}

/** Where the next version counts from. */
export interface VersionBase extends DeployedVersion {
  source: "agent" | "tag";
  /** The tag's name, when the base came from a tag. */
  tag?: string;
}

export interface ReleaseCommit extends CommitInfo {
  conventional: ConventionalCommit;
}

export interface ReleasePlan {
  /** undefined: neither a deployed version nor a tag, so this is the first version. */
  base: VersionBase | undefined;
  version: string;
  bump: BumpKind;
  /** The commit being released. */
  head: string;
  /** The commits since the base that count, newest first. */
  commits: ReleaseCommit[];
  /** Commits since the base reverted in the same range, and their reverts: they do not count. */
  reverted: ReleaseCommit[];
  /** The CHANGELOG.md section for `version`. */
  section: string;
}

export interface PlanOptions {
  /** The agent's last production version of this app; when absent the last `vX.Y.Z` tag is the base. */
  lastDeployed?: DeployedVersion | undefined;
  /** The commit to release (default HEAD). */
  ref?: string;
  /** The changelog date (default now). */
  date?: Date;
}

/** Reads the repo in `dir` and works out the next version and its changelog. */
export async function planRelease(dir: string, options: PlanOptions = {}): Promise<ReleasePlan> {
  const ref = options.ref ?? "HEAD";
  const head = await commitInfo(dir, ref);
  const base = await versionBase(dir, head.sha, options.lastDeployed);
  const commits = await commitsBetween(dir, base?.sha, head.sha);
  return computeRelease(base, commits, head.sha, options.date ?? new Date());
}

/**
 * The agent's last deployed version, or the last `vX.Y.Z` tag reachable from `head` when there is none.
 * The tag wins when it names `head` itself (that commit has its version already) or when it is above
 * what the agent deployed (cut by `skiff version` and not deployed yet): either way, no version is
 * handed out twice.
 */
async function versionBase(
  dir: string,
  head: string,
  lastDeployed: DeployedVersion | undefined,
): Promise<VersionBase | undefined> {
  const found = await lastVersionTag(dir, head);
  const tag: VersionBase | undefined = found && {
    version: found.version,
    sha: found.sha,
    source: "tag",
    tag: found.tag,
  };
  if (tag?.sha === head || !lastDeployed) return tag;
  const agent: VersionBase = { ...lastDeployed, source: "agent" };
  return tag && semver.gt(tag.version, agent.version) ? tag : agent;
}

/** Pure: the plan from the base and the commits since it (newest first). */
export function computeRelease(
  base: VersionBase | undefined,
  commits: CommitInfo[],
  head: string,
  date: Date,
): ReleasePlan {
  const { kept: counted, dropped: reverted } = withoutReverted(
    commits
      .filter((c) => !isReleaseCommit(c.message))
      .map((c) => ({ ...c, conventional: parseCommitMessage(c.message) })),
  );
  const conventional = counted.map((c) => c.conventional);
  // No commits at all between base and head, yet head is not the base: head is an older commit
  // (`deploy --ref`) that never had a version of its own. It gets a new one, never the base's.
  const older = base !== undefined && head !== base.sha && commits.length === 0;
  const { version, bump } = older
    ? nextVersion(base.version, [{ type: "fix", breaking: false }])
    : nextVersion(base?.version, conventional);
  const section = renderChangelogSection(
    version,
    date,
    counted.map((c) => ({ sha: c.sha, commit: c.conventional })),
  );
  return { base, version, bump, head, commits: counted, reverted, section };
}
