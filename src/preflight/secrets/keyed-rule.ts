import { ASSIGN } from "./assignment.js";
import {
  anyCase,
  type Example,
  endBoundary,
  generate,
  type MatchContext,
  maxLength,
  type SecretRule,
  type Segment,
  segmentsRegex,
  shortened,
  variants,
} from "./rule.js";

export interface KeyedOptions {
  /** Provider words, one of which must be in the key's name (e.g. `datadog`). */
  keywords: string[];
  /** The value's format. */
  value: Segment[];
  /** The name the generator assigns it to; default `<keyword>_api_key`. */
  key?: string;
  /** The key's name must also contain one of these (case-insensitive), e.g. key|token|secret. */
  nameMust?: string[];
  /** …and none of these (`discordServerID` is no client id). */
  nameMustNot?: string[];
  minEntropy?: number;
  verify?: (context: MatchContext) => boolean;
}

/**
 * `dd_api` should also find `ddApiKey` and `DD-API-KEY`: separators between words are optional, for the
 * regex and for the prefilter (which gets the spellings without and with a dash).
 */
function spellings(keyword: string): string[] {
  const parts = keyword.split(/[_-]/);
  if (parts.length < 2 || parts.some((p) => p === "")) return [keyword];
  return [...new Set([keyword, parts.join(""), parts.join("-"), parts.join("_")])];
}

function keywordRegex(keyword: string): string {
  const parts = keyword.split(/[_-]/);
  if (parts.length < 2 || parts.some((p) => p === "")) return anyCase(keyword);
  return parts.map(anyCase).join("[_.\\-]?");
}

/**
 * A credential with no prefix of its own (a 32-hex API key, a UUID), recognised by the provider's
 * name in the key it is assigned to and by its format.
 */
export function keyed(id: string, title: string, options: KeyedOptions): SecretRule {
  const words = options.keywords.map(keywordRegex).join("|");
  // Anchored at the provider's word; the lookbehind picks up the start of the key's name (`pre`).
  const regex = new RegExp(
    `(?<=(?<pre>[\\w.\\-]{0,30}))(?:${words})[\\w.\\-]{0,30}${ASSIGN}(?<s>${segmentsRegex(options.value)})${endBoundary(options.value)}`,
    "dy",
  );
  const nameMust = options.nameMust;
  const nameMustNot = options.nameMustNot ?? [];
  const key = options.key ?? `${options.keywords[0]!.replace(/[^a-z0-9]/g, "_")}_api_key`;
  const verifyName =
    nameMust || nameMustNot.length > 0
      ? (context: Pick<MatchContext, "match" | "secret">) => {
          const name = context.match.slice(0, context.match.length - context.secret.length).toLowerCase();
          if (nameMustNot.some((word) => name.includes(word))) return false;
          return !nameMust || nameMust.some((word) => name.includes(word));
        }
      : undefined;
  // Only a format with some text of its own (`:A`, a UUID's dashes) has a shape to recognise.
  const literal = options.value.reduce(
    (n, s) => n + ("lit" in s ? Math.min(...s.lit.map((l) => l.length)) : 0),
    0,
  );
  const loose = options.value.map((s) => ("lit" in s ? s : { ...s, min: 1, max: 1000 }));
  const shape =
    literal >= 2
      ? {
          regex: new RegExp(
            `(?<=(?<pre>[\\w.\\-]{0,30}))(?:${words})[\\w.\\-]{0,30}${ASSIGN}(?<s>${segmentsRegex(loose)})(?=[\\s"'\`;,<\\\\]|$)`,
            "dy",
          ),
          owns: verifyName,
        }
      : undefined;
  const verify =
    verifyName && options.verify
      ? (c: MatchContext) => verifyName(c) && options.verify!(c)
      : (verifyName ?? options.verify);
  return {
    id,
    title,
    keywords: options.keywords.flatMap(spellings),
    regex,
    // Multiline for a value on the line after its XML element's tag; the assignment crosses no other line end.
    window: { before: 31, after: 80 + maxLength(options.value), multiline: true },
    anchored: true,
    keywordStartsWord: true,
    minEntropy: options.minEntropy ?? 2.5,
    generic: false,
    verify,
    shape,
    examples: (rng) =>
      variants(options.value).map((variant) => {
        const value = generate(rng, variant);
        return { key, value, secret: value };
      }),
    nearMisses: (rng) => {
      const value = generate(rng, options.value);
      // Without the provider's name in the key, the same value is just a value.
      const misses: Example[] = [{ key: "build_checksum", value, secret: value, clean: true }];
      const short = shortened(options.value);
      if (short) {
        // One character short is not this provider's format, though a generic rule may still see a secret.
        const shortValue = generate(rng, short);
        misses.push({ key, value: shortValue, secret: shortValue });
      }
      return misses;
    },
  };
}
