import semver from "semver";
import type { ConventionalCommit } from "./conventional.js";

export type Bump = "major" | "minor" | "patch";

/** How the next version came about: a bump, the first version ever, or nothing new to release. */
export type BumpKind = Bump | "initial" | "none";

/** The version of an app that has no deployed version and no `vX.Y.Z` tag yet. */
export const INITIAL_VERSION = "0.1.0";

/** Pure. The strongest change among the commits; undefined when there are none. */
export function bumpFor(commits: Pick<ConventionalCommit, "type" | "breaking">[]): Bump | undefined {
  if (commits.length === 0) return undefined;
  if (commits.some((c) => c.breaking)) return "major";
  if (commits.some((c) => c.type === "feat")) return "minor";
  return "patch";
}

/**
 * Pure. The version after `base` given the commits since it. Below 1.0.0 a breaking change bumps the
 * minor (0.x promises no stability, so breaking is the normal state; 1.0.0 is the author's decision).
 */
export function nextVersion(
  base: string | undefined,
  commits: Pick<ConventionalCommit, "type" | "breaking">[],
): { version: string; bump: BumpKind } {
  if (base === undefined) return { version: INITIAL_VERSION, bump: "initial" };
  const current = /^\d+\.\d+\.\d+$/.test(base) ? semver.parse(base) : null;
  if (!current) {
    throw new Error(`not a release version: ${JSON.stringify(base)} (expected X.Y.Z)`);
  }
  const wanted = bumpFor(commits);
  if (wanted === undefined) return { version: current.version, bump: "none" };
  const bump = wanted === "major" && current.major === 0 ? "minor" : wanted;
  return { version: current.inc(bump).version, bump };
}
