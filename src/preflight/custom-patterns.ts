import type { CustomPattern } from "./config.js";
import { window } from "./secrets/detect.js";
import type { SourceFile } from "./source-file.js";

export interface CompiledPattern {
  pattern: CustomPattern;
  regex: RegExp;
}

export interface PatternMatch {
  pattern: CustomPattern;
  start: number;
  /** For secrets patterns: the span to mask (group `s`, else group 1, else the whole match). */
  secretStart: number;
  secretEnd: number;
  secret: string;
}

const AROUND = { before: 200, after: 400 };

export function compilePatterns(patterns: readonly CustomPattern[]): CompiledPattern[] {
  return patterns.map((pattern) => ({ pattern, regex: new RegExp(pattern.regex, "gd") }));
}

/**
 * Extra patterns from skiff.yml. With keywords they ride the shared keyword pass; without, the regex
 * runs once over the whole file.
 */
export function findPatterns(
  file: SourceFile,
  compiled: readonly CompiledPattern[],
  hits: ReadonlyArray<readonly [CompiledPattern, number, number]>,
): PatternMatch[] {
  const found = new Map<string, PatternMatch>();
  const collect = (entry: CompiledPattern, from: number, to: number) => {
    const slice = file.slice(from, to);
    entry.regex.lastIndex = 0;
    for (let m = entry.regex.exec(slice); m !== null; m = entry.regex.exec(slice)) {
      if (m[0].length === 0) entry.regex.lastIndex++;
      const span = m.indices?.groups?.s ?? m.indices?.[1] ?? m.indices![0]!;
      found.set(`${entry.pattern.id}:${from + m.index}`, {
        pattern: entry.pattern,
        start: from + m.index,
        secretStart: from + span[0],
        secretEnd: from + span[1],
        secret: slice.slice(span[0], span[1]),
      });
    }
  };
  for (const entry of compiled) {
    if (entry.pattern.keywords.length === 0) collect(entry, 0, file.bytes.length);
  }
  for (const [entry, start, end] of hits) {
    const [from, to] = window(file.bytes, start, end, AROUND);
    collect(entry, from, to);
  }
  return [...found.values()].sort((a, b) => a.start - b.start);
}
