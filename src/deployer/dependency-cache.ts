import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AppConfig } from "../config/schema.js";

/** Lockfiles a cache is keyed on when skiff.yml names none: the first found, in this order. */
export const LOCKFILES = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "requirements.txt",
  "poetry.lock",
  "Pipfile.lock",
  "uv.lock",
  "go.sum",
  "Gemfile.lock",
  "Cargo.lock",
  "composer.lock",
];

export interface CachePlan {
  /** What the install fills and the next release may copy: `cache:`, else node_modules for a Node app. */
  paths: string[];
  /** The files whose bytes decide whether the install can be skipped: `cache_key:`, else the lockfile. */
  keyFiles: string[];
}

/** What the install of the release in `dir` caches and keys on, from skiff.yml or by what the tree holds. */
export function cachePlan(dir: string, config: Pick<AppConfig, "cache" | "cacheKey">): CachePlan {
  const has = (file: string) => existsSync(join(dir, file));
  const paths = config.cache ?? (has("package.json") ? ["node_modules"] : []);
  const lockfile = LOCKFILES.find(has);
  const keyFiles = config.cacheKey ?? (lockfile ? [lockfile] : []);
  return { paths, keyFiles };
}

/**
 * The cache key of an install: the command, the cached paths and the bytes of every key file (a missing
 * one counts as missing, so adding a lockfile changes the key). Equal keys mean byte-identical key files
 * under the same install, so the previous release's installed paths are what this install would make.
 * Undefined when there are no key files: nothing says two installs would agree.
 */
export async function cacheKey(dir: string, install: string, plan: CachePlan): Promise<string | undefined> {
  if (plan.keyFiles.length === 0) return undefined;
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ install, paths: plan.paths, node: process.version }));
  for (const file of plan.keyFiles) {
    hash.update(`\0${file}\0`);
    try {
      hash.update(await readFile(join(dir, file)));
      hash.update("\0present");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      hash.update("\0missing");
    }
  }
  return hash.digest("hex");
}

/** Removes what the upload brought at the cached paths: the cache (or the install) provides them. */
export async function clearCachedPaths(dir: string, paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(join(dir, path), { recursive: true, force: true })));
}
