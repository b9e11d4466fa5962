import semver from "semver";
import { tagsReachableFrom } from "../git/history.js";

export interface VersionTag {
  /** `1.4.2` */
  version: string;
  /** `v1.4.2` */
  tag: string;
  /** The tagged commit. */
  sha: string;
}

const RELEASE_TAG = /^v\d+\.\d+\.\d+$/;

/** `v1.4.2` → its version; undefined for anything else (pre-releases, `release-1`, `1.4.2`). */
export function versionOfTag(tag: string): string | undefined {
  return RELEASE_TAG.test(tag) ? (semver.valid(tag.slice(1)) ?? undefined) : undefined;
}

/**
 * The highest `vX.Y.Z` tag reachable from `ref`. Reachable, so that a tag made on another branch does not
 * decide this branch's version; highest rather than nearest, so that tags on merged branches count.
 */
export async function lastVersionTag(dir: string, ref = "HEAD"): Promise<VersionTag | undefined> {
  const tags = await tagsReachableFrom(dir, ref, "v*");
  let best: VersionTag | undefined;
  for (const { name, sha } of tags) {
    const version = versionOfTag(name);
    if (version && (!best || semver.gt(version, best.version))) best = { version, tag: name, sha };
  }
  return best;
}
