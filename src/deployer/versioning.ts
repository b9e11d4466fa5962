import semver from "semver";
import { isProduction } from "../environments/names.js";

/** The version of an app's first production release, when nothing gave it one. */
export const FIRST_VERSION = "0.1.0";

/**
 * Pure. `1.4.2` or `v1.4.2` (a pre-release may follow: `1.5.0-rc.1`) → the version without its `v`;
 * undefined for anything else. The one test of "is this a version" for the API, the deployer and the CLI.
 */
export function parseVersion(text: string): string | undefined {
  return semver.valid(text) ?? undefined;
}

export function isVersion(text: string): boolean {
  return parseVersion(text) !== undefined;
}

export interface VersionFacts {
  env: string;
  /** The version the CLI worked out from the commits, if it sent one. */
  given?: string | null | undefined;
  /** The version a production release of the same commit already went live with. */
  ofCommit?: string | undefined;
  /** The highest version a production release went live with (the store's `lastVersion`). */
  highest?: string | undefined;
}

/**
 * Pure. The version a new release carries. Production: the one its commit already had (a commit keeps
 * its version), else the one given, else a patch above the highest so far, else 0.1.0. Other
 * environments carry only a version given to them.
 */
export function releaseVersion(facts: VersionFacts): string | null {
  const given = facts.given ? (parseVersion(facts.given) ?? null) : null;
  if (!isProduction(facts.env)) return given;
  if (facts.ofCommit) return facts.ofCommit;
  if (given) return given;
  if (facts.highest) return semver.inc(facts.highest, "patch") ?? facts.highest;
  return FIRST_VERSION;
}
