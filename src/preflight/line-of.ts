import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The 1-based line of `file` (under `root`) that first contains `text`, for a finding's location;
 * line 1 when the file cannot be read or does not contain it, so a finding always has a place.
 */
export function lineOf(root: string, file: string, text: string): number {
  try {
    const index = readFileSync(join(root, file), "utf8")
      .split("\n")
      .findIndex((line) => line.includes(text));
    return index >= 0 ? index + 1 : 1;
  } catch {
    return 1;
  }
}
