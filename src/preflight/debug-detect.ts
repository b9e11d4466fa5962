import type { DebugRule } from "./debug-rules.js";
import { type Language, regionsOf } from "./lexers/language.js";
import { CODE, COMMENT } from "./lexers/regions.js";
import { window } from "./secrets/detect.js";
import type { SourceFile } from "./source-file.js";

export interface DebugMatch {
  rule: DebugRule;
  start: number;
}

const AROUND = { before: 40, after: 24 };

/**
 * Debug leftovers near their keywords, kept only where they are code (or, for TODO markers, comments):
 * `// console.log(x)` and `"console.log("` are not calls. The lexer runs once, only for files with a
 * match, and only as far as the last match (a bundle's first `console.log` needs none of the rest).
 */
export function findDebugLeftovers(
  file: SourceFile,
  language: Language,
  hits: ReadonlyArray<readonly [DebugRule, number, number]>,
): DebugMatch[] {
  const candidates = new Map<string, DebugMatch>();
  let last = -1;
  for (const [rule, kwStart, kwEnd] of hits) {
    if (!rule.languages.includes(language)) continue;
    const [from, to] = window(file.bytes, kwStart, kwEnd, AROUND);
    const slice = file.slice(from, to);
    rule.regex.lastIndex = 0;
    for (let m = rule.regex.exec(slice); m !== null; m = rule.regex.exec(slice)) {
      if (m[0].length === 0) rule.regex.lastIndex++;
      const start = from + m.index;
      candidates.set(`${rule.id}:${start}`, { rule, start });
      last = Math.max(last, start);
    }
  }
  if (candidates.size === 0) return [];
  const regions = regionsOf(language, file.text, last + 1);
  return [...candidates.values()]
    .filter(({ rule, start }) => regions[start] === (rule.where === "code" ? CODE : COMMENT))
    .sort((a, b) => a.start - b.start);
}
