import type { SourceFile } from "../source-file.js";
import { shannonEntropy } from "./entropy.js";
import { isPlaceholder } from "./placeholder.js";
import { isPublicExample } from "./public-examples.js";
import type { SecretRule } from "./rule.js";
import { assignedName, namesStandIn } from "./stand-in-name.js";

export interface SecretMatch {
  rule: SecretRule;
  /** Byte offsets in the file: where the regex match starts, and the secret's span. */
  matchStart: number;
  start: number;
  end: number;
  /** Where masking ends: past `end` when the rule's `maskThrough` says the value goes on. */
  maskEnd: number;
  secret: string;
}

/**
 * Runs secret rules near their keywords. The keyword pass (one per file, shared with the other
 * checks) hands in `hits`; each rule's regex only sees a small window around each hit.
 */
export class SecretDetector {
  readonly rules: readonly SecretRule[];
  private readonly priority = new Map<SecretRule, number>();

  constructor(rules: readonly SecretRule[]) {
    this.rules = rules;
    for (const [i, rule] of rules.entries()) this.priority.set(rule, i);
  }

  /**
   * `hits` holds (keyword id, keyword end) pairs in file order, straight from the keyword pass;
   * `rulesOf[id]` are the rules a keyword triggers and `lengths[id]` its length.
   */
  find(
    file: SourceFile,
    hits: readonly number[],
    rulesOf: ReadonlyArray<readonly SecretRule[]>,
    lengths: readonly number[],
  ): SecretMatch[] {
    const candidates = new Map<string, SecretMatch>();
    const nearMisses: Array<[number, number]> = [];
    const scanned = new Map<SecretRule, [number, number]>();
    for (let i = 0; i < hits.length; i += 2) {
      const rules = rulesOf[hits[i]!]!;
      if (rules.length === 0) continue;
      const kwEnd = hits[i + 1]!;
      const kwStart = kwEnd - lengths[hits[i]!]!;
      for (const rule of rules) {
        if (rule.keywordStartsToken && kwStart > 0 && continuesToken(file.bytes[kwStart - 1]!)) continue;
        if (rule.keywordStartsWord && !isWord(file.bytes, kwStart, kwEnd)) continue;
        if (rule.path && !rule.path.test(file.path)) continue;
        const [from, to] = window(file.bytes, kwStart, kwEnd, rule.window);
        if (!rule.anchored) {
          // Overlapping windows of one rule on one line: search each stretch once.
          const last = scanned.get(rule);
          if (last && from >= last[0] && to <= last[1]) continue;
          scanned.set(rule, [from, to]);
        }
        if (!this.matchIn(file, rule, kwStart, from, to, candidates) && rule.shape)
          this.nearMissIn(file, rule.shape, kwStart, from, to, nearMisses);
      }
    }
    return candidates.size === 0 ? [] : this.resolveOverlaps([...candidates.values()], nearMisses);
  }

  /** Where a provider's shape matched but not its format: the span of the value no rule reports. */
  private nearMissIn(
    file: SourceFile,
    shape: NonNullable<SecretRule["shape"]>,
    kwStart: number,
    from: number,
    to: number,
    into: Array<[number, number]>,
  ): void {
    const slice = file.slice(from, to);
    shape.regex.lastIndex = kwStart - from;
    const m = shape.regex.exec(slice);
    const span = m?.indices?.groups?.s;
    if (!m || !span) return;
    const secret = slice.slice(span[0], span[1]);
    if (!shape.owns || shape.owns({ secret, match: (m.groups?.pre ?? "") + m[0] }))
      into.push([from + span[0], from + span[1]]);
  }

  /** Adds the rule's matches in from…to to `into`; false when its regex matched nothing there. */
  private matchIn(
    file: SourceFile,
    rule: SecretRule,
    kwStart: number,
    from: number,
    to: number,
    into: Map<string, SecretMatch>,
  ): boolean {
    const slice = file.slice(from, to);
    const regex = rule.regex;
    regex.lastIndex = rule.anchored ? kwStart - from : 0;
    let matched = false;
    for (let m = regex.exec(slice); m !== null; m = rule.anchored ? null : regex.exec(slice)) {
      if (m[0].length === 0) regex.lastIndex++;
      const span = m.indices?.groups?.s;
      if (!span) continue;
      matched = true;
      const pre = m.groups?.pre ?? "";
      const secret = slice.slice(span[0], span[1]);
      const matchStart = from + m.index - pre.length;
      if (!this.accepts(rule, file, secret, pre + m[0], matchStart)) continue;
      const start = from + span[0];
      const end = from + span[1];
      into.set(`${rule.id}:${start}`, {
        rule,
        matchStart,
        start,
        end,
        maskEnd: maskEnd(rule, file, end),
        secret,
      });
    }
    return matched;
  }

  private accepts(rule: SecretRule, file: SourceFile, secret: string, match: string, index: number) {
    if (secret.length === 0 || isPlaceholder(secret) || isPublicExample(secret)) return false;
    if (rule.minEntropy > 0 && shannonEntropy(secret) < rule.minEntropy) return false;
    // A provider token assigned to `fakeToken`, `broken_token`: a test's stand-in. (The generic
    // rules read the name themselves.)
    if (!rule.generic && standInName(file, index)) return false;
    // The whole text is decoded only if a rule's check reads it.
    return (
      !rule.verify ||
      rule.verify({
        secret,
        match,
        index,
        path: file.path,
        get text() {
          return file.text;
        },
      })
    );
  }

  /**
   * One finding per secret: the most specific rule wins where spans overlap, and a generic rule
   * gives way to a provider's near miss on the same value.
   */
  private resolveOverlaps(
    candidates: SecretMatch[],
    nearMisses: ReadonlyArray<[number, number]>,
  ): SecretMatch[] {
    candidates.sort((a, b) => this.priority.get(a.rule)! - this.priority.get(b.rule)! || a.start - b.start);
    const accepted: SecretMatch[] = [];
    for (const candidate of candidates) {
      if (candidate.rule.generic && nearMisses.some(([s, e]) => candidate.start < e && s < candidate.end))
        continue;
      if (!accepted.some((a) => candidate.start < a.end && a.start < candidate.end)) accepted.push(candidate);
    }
    return accepted.sort((a, b) => a.start - b.start);
  }
}

function standInName(file: SourceFile, index: number): boolean {
  const name = assignedName(file.slice(Math.max(0, index - 120), index));
  return name !== undefined && namesStandIn(name);
}

/** The reported secret may be only the start of the value (a key's first line): mask the rest too. */
function maskEnd(rule: SecretRule, file: SourceFile, end: number): number {
  const through = rule.maskThrough;
  if (!through) return end;
  through.lastIndex = 0;
  const rest = through.exec(file.slice(end, Math.min(file.bytes.length, end + MASK_LOOKAHEAD)));
  return end + (rest?.[0].length ?? 0);
}

const MASK_LOOKAHEAD = 16_384;

function isAlphanumeric(byte: number): boolean {
  return isDigitOrLower(byte) || isUpper(byte);
}

function isUpper(byte: number): boolean {
  return byte >= 65 && byte <= 90;
}

function isDigitOrLower(byte: number): boolean {
  return (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 122);
}

/**
 * A token's prefix found after a letter, a digit, `_`, `.` or `-` is the middle of something else: a
 * word (`are_` for `re_`), a file name (`box.ico-…png` for `ico-`), a longer identifier.
 */
function continuesToken(byte: number): boolean {
  return isAlphanumeric(byte) || byte === 95 || byte === 46 || byte === 45;
}

/**
 * The keyword at start…end is a word of a name, or the start of one: it begins after a non-letter or
 * at a camelCase hump, and the name does not go on in lower case (`sumOfExposures` holds `sumo`).
 */
function isWord(bytes: Uint8Array, start: number, end: number): boolean {
  if (start > 0) {
    const before = bytes[start - 1]!;
    if (isAlphanumeric(before) && !(isDigitOrLower(before) && isUpper(bytes[start]!))) return false;
  }
  const after = bytes[end];
  return after === undefined || !(after >= 97 && after <= 122);
}

/**
 * The bytes a rule looks at around a keyword: `before`/`after` bytes, cut at the line's ends unless
 * the rule spans lines. The newline search is bounded so a 1 MB minified line costs no more.
 */
export function window(
  bytes: Uint8Array,
  kwStart: number,
  kwEnd: number,
  size: { before: number; after: number; multiline?: boolean },
): [number, number] {
  let from = Math.max(0, kwStart - size.before);
  let to = Math.min(bytes.length, kwEnd + size.after);
  if (size.multiline) return [from, to];
  for (let i = kwStart - 1; i >= from; i--) {
    if (bytes[i] === 10) {
      from = i + 1;
      break;
    }
  }
  for (let i = kwEnd; i < to; i++) {
    if (bytes[i] === 10) {
      to = i;
      break;
    }
  }
  return [from, to];
}
