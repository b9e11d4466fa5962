import type { Charset } from "./charsets.js";
import type { Rng } from "./random.js";

/** A well-formed fake (or a near miss), as a generator makes it for tests and the corpus. */
export interface Example {
  /** The variable or key to assign it to; absent when the value is recognisable on its own. */
  key?: string;
  /** The text to embed: a token, a URL, a PEM block, a JSON file. */
  value: string;
  /** The part a finding must report (masked). */
  secret: string;
  /** For a near miss: true when no rule at all may report it (it belongs in the clean corpus). */
  clean?: boolean;
}

/** What a rule sees when its regex matched: enough to reject a look-alike. */
export interface MatchContext {
  secret: string;
  /** The whole regex match, e.g. `DATADOG_API_KEY = "…"`. */
  match: string;
  /** The file's text and where the match starts in it. */
  text: string;
  index: number;
  /** The file's path relative to the scanned directory. */
  path: string;
}

export interface SecretRule {
  id: string;
  title: string;
  /** Lower-case words for the prefilter; the rule's regex runs only near one of them. */
  keywords: readonly string[];
  /**
   * Flags `gd`, searched through the window; or, when `anchored`, flags `dy`, tried once exactly at
   * the keyword (one attempt per hit instead of one per position). The named group `s` is the secret;
   * an anchored regex may capture the rest of a key's name before the keyword, by lookbehind, as `pre`.
   */
  regex: RegExp;
  anchored?: boolean;
  /** How far around a keyword the regex looks; `multiline` lets it cross line ends. */
  window: { before: number; after: number; multiline?: boolean };
  /**
   * The keyword is the token's own prefix, which a letter or digit may not precede: a hit inside a
   * word (`are_` for `re_`) is dropped before any regex runs.
   */
  keywordStartsToken?: boolean;
  /**
   * The keyword is a word of a key's name: it starts after a character that is not a letter or digit
   * or at a camelCase hump (`myDatadogKey`), and no lower-case letter follows it. `SetSysctl` holds
   * `etsy` and `sumOfExposures` holds `sumo`, but not as words.
   */
  keywordStartsWord?: boolean;
  /**
   * Sticky (`y`) regex matched right after the secret: what it covers is masked as well. For values
   * reported by their start only, such as a private key's body after its first line.
   */
  maskThrough?: RegExp;
  /** Only in files whose path (relative to the scanned directory) matches, e.g. YAML manifests. */
  path?: RegExp;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  minEntropy: number;
  /** Generic rules (password = …) give way to a provider rule matching the same text. */
  generic: boolean;
  verify?: (context: MatchContext) => boolean;
  /**
   * The provider's format with its lengths let go (`\d+:A[\w-]+` for a Telegram bot token), tried
   * where `regex` was and failed: a value in the provider's own shape, behind the provider's name,
   * that breaks its exact format (a digit too many, a body too short) is made up or damaged, and no
   * generic rule reports it either. Sticky, with the same groups as `regex`; `owns` checks the name.
   */
  shape?: { regex: RegExp; owns?: (context: Pick<MatchContext, "match" | "secret">) => boolean };
  examples: (rng: Rng) => Example[];
  nearMisses: (rng: Rng) => Example[];
}

/** A piece of a token format: one of some literals, or a run of characters from a set. */
export type Segment = { lit: readonly string[] } | { set: Charset; min: number; max: number };

export const lit = (...alternatives: string[]): Segment => ({ lit: alternatives });
export const chars = (set: Charset, min: number, max = min): Segment => ({ set, min, max });

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** `datadog` → `[dD][aA]…`: case-insensitive for a key name while the value stays case-sensitive. */
export function anyCase(word: string): string {
  return [...word]
    .map((c) =>
      c.toLowerCase() === c.toUpperCase() ? escapeRegex(c) : `[${c.toLowerCase()}${c.toUpperCase()}]`,
    )
    .join("");
}

export function segmentsRegex(segments: readonly Segment[]): string {
  return segments
    .map((segment) =>
      "lit" in segment
        ? `(?:${segment.lit.map(escapeRegex).join("|")})`
        : `[${segment.set.cls}]{${segment.min}${segment.max === segment.min ? "" : `,${segment.max}`}}`,
    )
    .join("");
}

/** One segment list per alternative of the first literal with several: each format variant. */
export function variants(segments: readonly Segment[]): Segment[][] {
  const index = segments.findIndex((s) => "lit" in s && s.lit.length > 1);
  if (index < 0) return [[...segments]];
  const choice = segments[index] as { lit: readonly string[] };
  return choice.lit.map((alternative) => segments.map((s, i) => (i === index ? { lit: [alternative] } : s)));
}

export function generate(rng: Rng, segments: readonly Segment[]): string {
  return segments
    .map((segment) =>
      "lit" in segment ? rng.pick(segment.lit) : rng.chars(segment.set, rng.int(segment.min, segment.max)),
    )
    .join("");
}

export function maxLength(segments: readonly Segment[]): number {
  return segments.reduce((sum, s) => sum + ("lit" in s ? Math.max(...s.lit.map((l) => l.length)) : s.max), 0);
}

/** The same format with its longest run one character too short: a near miss. */
export function shortened(segments: readonly Segment[]): Segment[] | undefined {
  let longest = -1;
  segments.forEach((s, i) => {
    if (!("lit" in s) && s.min > 1 && (longest < 0 || s.min > (segments[longest] as { min: number }).min))
      longest = i;
  });
  if (longest < 0) return undefined;
  return segments.map((s, i) =>
    i === longest && !("lit" in s) ? { ...s, min: s.min - 1, max: s.min - 1 } : s,
  );
}

/** After the last run of characters, the next one must not continue it. */
export function endBoundary(segments: readonly Segment[]): string {
  const last = segments[segments.length - 1];
  return last && !("lit" in last) ? `(?![${last.set.cls}])` : "";
}

export function startBoundary(segments: readonly Segment[]): string {
  const first = segments[0];
  const firstChar = first && "lit" in first ? first.lit[0]![0]! : "a";
  return /[A-Za-z0-9]/.test(firstChar) ? "(?<![A-Za-z0-9])" : "";
}
