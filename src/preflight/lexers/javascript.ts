import { COMMENT, lineEnd, mark, quotedEnd, STRING } from "./regions.js";

/** After these words a `/` starts a regex literal, not a division. */
const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Regions of JavaScript/TypeScript source: comments, string, template and regex literals. Template
 * literals nest: code inside `${…}` is code again. Good enough to tell `// console.log(x)` and
 * `"console.log("` from a call, without a full parser.
 */
export function javascriptRegions(text: string, end = text.length): Uint8Array {
  const regions = new Uint8Array(text.length);
  /** Brace depth at which each open `${` started; a `}` at that depth resumes the template. */
  const templates: number[] = [];
  let depth = 0;
  /** The last significant token, to tell a regex literal from a division. */
  let previous = "";
  let i = text.startsWith("#!") ? mark(regions, 0, lineEnd(text, 0), COMMENT) : 0;
  while (i < end) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      i = mark(regions, i, lineEnd(text, i), COMMENT);
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      i = mark(regions, i, end === -1 ? text.length : end + 2, COMMENT);
    } else if (c === "/" && startsRegex(previous)) {
      i = mark(regions, i, regexEnd(text, i), STRING);
      previous = "regex";
    } else if (c === '"' || c === "'") {
      i = mark(regions, i, quotedEnd(text, i, c, true), STRING);
      previous = "string";
    } else if (c === "`") {
      i = mark(regions, i, templateEnd(text, i + 1, templates, depth), STRING);
      previous = "string";
    } else if (c === "}" && templates.length > 0 && templates[templates.length - 1] === depth) {
      templates.pop();
      i = mark(regions, i, templateEnd(text, i + 1, templates, depth), STRING);
      previous = "string";
    } else if (WORD.test(c)) {
      let end = i + 1;
      while (end < text.length && WORD.test(text[end]!)) end++;
      previous = text.slice(i, end);
      i = end;
    } else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") previous = c;
      i++;
    }
  }
  return regions;
}

function startsRegex(previous: string): boolean {
  if (previous === "") return true;
  if (
    previous === ")" ||
    previous === "]" ||
    previous === "}" ||
    previous === "string" ||
    previous === "regex"
  )
    return false;
  if (WORD.test(previous[0]!)) return REGEX_AFTER_WORD.has(previous);
  return true;
}

/** Just past a regex literal's closing `/` and flags; `/` inside a class `[…]` does not close it. */
function regexEnd(text: string, from: number): number {
  let inClass = false;
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "\n") return i;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) {
      let end = i + 1;
      while (end < text.length && /[a-z]/.test(text[end]!)) end++;
      return end;
    }
  }
  return text.length;
}

/**
 * Scans a template body from `from`: returns just past the closing backtick, or just past a `${`
 * (after recording the depth at which its `}` will resume the template).
 */
function templateEnd(text: string, from: number, templates: number[], depth: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "`") return i + 1;
    else if (c === "$" && text[i + 1] === "{") {
      templates.push(depth);
      return i + 2;
    }
  }
  return text.length;
}
