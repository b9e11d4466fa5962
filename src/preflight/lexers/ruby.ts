import { COMMENT, lineEnd, mark, quotedEnd, STRING } from "./regions.js";

/** Regions of Ruby source: `#` comments, `=begin`…`=end` blocks and quoted strings. */
export function rubyRegions(text: string, end = text.length): Uint8Array {
  const regions = new Uint8Array(text.length);
  let i = 0;
  while (i < end) {
    const c = text[i]!;
    const atLineStart = i === 0 || text[i - 1] === "\n";
    if (atLineStart && text.startsWith("=begin", i)) {
      const end = text.indexOf("\n=end", i);
      i = mark(regions, i, end === -1 ? text.length : lineEnd(text, end + 1), COMMENT);
    } else if (c === "#") {
      i = mark(regions, i, lineEnd(text, i), COMMENT);
    } else if (c === '"' || c === "'" || c === "`") {
      i = mark(regions, i, quotedEnd(text, i, c, false), STRING);
    } else {
      i++;
    }
  }
  return regions;
}
