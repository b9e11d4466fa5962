import {
  type Example,
  endBoundary,
  generate,
  type MatchContext,
  maxLength,
  type SecretRule,
  type Segment,
  segmentsRegex,
  shortened,
  startBoundary,
  variants,
} from "./rule.js";

export interface TokenOptions {
  /** Prefilter words; default: the token's literal prefix. */
  keywords?: string[];
  minEntropy?: number;
  /** Index of the segment where the secret starts (a webhook URL's last part); default 0. */
  secretFrom?: number;
  verify?: (context: MatchContext) => boolean;
  /** Puts a generated token in the surroundings it needs to be recognised (a SAS query). */
  wrap?: (token: string) => string;
  /**
   * Whether the one-short near miss belongs in the clean corpus. Not when the prefix is a key
   * assignment (`SharedAccessKey=`): a generic rule rightly still sees a secret there.
   */
  shortIsClean?: boolean;
}

/**
 * A token recognisable on its own, by its provider's prefix, length and alphabet,
 * like `ghp_` + 36 letters and digits. Regex, generator and near misses all come from one spec.
 */
export function token(
  id: string,
  title: string,
  segments: Segment[],
  options: TokenOptions = {},
): SecretRule {
  const first = segments[0];
  const keywords =
    options.keywords ?? (first && "lit" in first ? first.lit.map((l) => l.toLowerCase()) : undefined);
  if (!keywords) throw new Error(`secret rule ${id}: a token without a literal prefix needs keywords`);
  const from = options.secretFrom ?? 0;
  const head = segments.slice(0, from);
  const tail = segments.slice(from);
  const length = maxLength(segments);
  // With the prefix as its keyword, the regex is tried once, where the keyword was found.
  const anchored = options.keywords === undefined && startBoundary(segments) !== "";
  const regex = new RegExp(
    `${startBoundary(segments)}${head.length ? `(?:${segmentsRegex(head)})` : ""}(?<s>${segmentsRegex(tail)})${endBoundary(segments)}`,
    anchored ? "dy" : "gd",
  );
  const example = (rng: Parameters<SecretRule["examples"]>[0], body: readonly Segment[]): Example => {
    const secret = generate(rng, body);
    const value = generate(rng, head) + secret;
    return { value: options.wrap ? options.wrap(value) : value, secret };
  };
  return {
    id,
    title,
    keywords,
    regex,
    window: anchored ? { before: 1, after: length + 1 } : { before: length + 2, after: length + 2 },
    anchored,
    keywordStartsToken: anchored,
    minEntropy: options.minEntropy ?? 2.5,
    generic: false,
    verify: options.verify,
    examples: (rng) => variants(tail).map((variant) => example(rng, variant)),
    nearMisses: (rng) => {
      const misses: Example[] = [];
      const short = shortened(tail);
      if (short) misses.push({ ...example(rng, short), clean: options.shortIsClean ?? true });
      const prefix = first && "lit" in first ? first.lit[0]! : "";
      const flipped = [...prefix]
        .map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
        .join("");
      if (
        from === 0 &&
        /[A-Za-z]/.test(prefix) &&
        !(first && "lit" in first && first.lit.includes(flipped))
      ) {
        const value = flipped + generate(rng, segments.slice(1));
        misses.push({ value, secret: value, clean: true });
      }
      return misses;
    },
  };
}
