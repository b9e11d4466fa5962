import type { SourceFile } from "./source-file.js";

/** The words the keyword pass looks for; a hit counts only at the start of a line. */
export const CONFLICT_KEYWORDS = ["<<<<<<<", ">>>>>>>"];

/** Offsets of merge-conflict markers: `<<<<<<<` or `>>>>>>>` opening a line, then a space or its end. */
export function isConflictMarker(file: SourceFile, start: number): boolean {
  const bytes = file.bytes;
  if (start > 0 && bytes[start - 1] !== 10) return false;
  const after = bytes[start + 7];
  return after === undefined || after === 32 || after === 10 || after === 13;
}
