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
 * `// console.log(x)` and `"console.log("` are not calls. The lexer runs once, only for files with a hit.
 */
export function findDebugLeftovers(
  file: SourceFile,
  language: Language,
  hits: ReadonlyArray<readonly [DebugRule, number, number]>,
): DebugMatch[] {
  let regions: Uint8Array | undefined;
  const found = new Map<string, DebugMatch>();
  for (const [rule, kwStart, kwEnd] of hits) {
    if (!rule.languages.includes(language)) continue;
    const [from, to] = window(file.bytes, kwStart, kwEnd, AROUND);
    const slice = file.slice(from, to);
    rule.regex.lastIndex = 0;
    for (let m = rule.regex.exec(slice); m !== null; m = rule.regex.exec(slice)) {
      if (m[0].length === 0) rule.regex.lastIndex++;
      const start = from + m.index;
      regions ??= regionsOf(language, file.text);
      const region = regions[start];
      if (region !== (rule.where === "code" ? CODE : COMMENT)) continue;
      found.set(`${rule.id}:${start}`, { rule, start });
    }
  }
  return [...found.values()].sort((a, b) => a.start - b.start);
}
