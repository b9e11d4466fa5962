import { readFileSync } from "node:fs";
import { join } from "node:path";
import ignore from "ignore";

export const IGNORE_FILE = ".skiffignore";

/**
 * Paths the content checks skip: `.skiffignore` (gitignore syntax) plus `preflight.ignore` from
 * skiff.yml. Returns a test on paths relative to `root`.
 */
export function ignoredPaths(root: string, patterns: readonly string[]): (path: string) => boolean {
  const matcher = ignore().add([...patterns]);
  try {
    matcher.add(readFileSync(join(root, IGNORE_FILE), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return (path) => matcher.ignores(path);
}
