import { COMMENT, lineEnd, mark, quotedEnd, STRING } from "./regions.js";

/**
 * Regions of Python source: `#` comments, and strings in every form (prefixes r/b/u/f, triple quotes).
 * An f-string's `{expressions}` count as string: a call hidden there is rare and harmless to miss.
 */
export function pythonRegions(text: string, end = text.length): Uint8Array {
  const regions = new Uint8Array(text.length);
  let i = 0;
  while (i < end) {
    const c = text[i]!;
    if (c === "#") {
      i = mark(regions, i, lineEnd(text, i), COMMENT);
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      i = mark(regions, i, triple ? tripleEnd(text, i, c.repeat(3)) : quotedEnd(text, i, c, true), STRING);
    } else {
      i++;
    }
  }
  return regions;
}

function tripleEnd(text: string, from: number, quotes: string): number {
  for (let i = from + 3; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text.startsWith(quotes, i)) return i + 3;
  }
  return text.length;
}
