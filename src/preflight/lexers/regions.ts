/** What each character of a source file is: a lexer marks strings and comments, the rest is code. */
export const CODE = 0;
export const STRING = 1;
export const COMMENT = 2;
export type Region = typeof CODE | typeof STRING | typeof COMMENT;

/** Marks text[from, to) and returns `to`. */
export function mark(regions: Uint8Array, from: number, to: number, region: Region): number {
  regions.fill(region, from, to);
  return to;
}

/** Index of the end of the line holding `from` (the `\n`, or the text's length). */
export function lineEnd(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end === -1 ? text.length : end;
}

/**
 * End of a quoted string starting at `from` (the opening quote): just past the closing quote, or at
 * the line's end when `singleLine` and the string is not closed there.
 */
export function quotedEnd(text: string, from: number, quote: string, singleLine: boolean): number {
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === quote) return i + 1;
    else if (singleLine && c === "\n") return i;
  }
  return text.length;
}
