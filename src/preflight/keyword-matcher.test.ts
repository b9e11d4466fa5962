import { describe, expect, it } from "vitest";
import { KeywordMatcher } from "./keyword-matcher.js";
import { Rng } from "./secrets/random.js";

function hits(keywords: string[], text: string): Array<[string, number]> {
  const found: Array<[string, number]> = [];
  new KeywordMatcher(keywords).scan(Buffer.from(text, "latin1"), (id, end) =>
    found.push([keywords[id]!, end]),
  );
  return found;
}

/** Every (keyword, end) by plain search: the reference the automaton must agree with. */
function naive(keywords: string[], text: string): Array<[string, number]> {
  const lower = text.toLowerCase();
  const found: Array<[string, number]> = [];
  for (let end = 1; end <= lower.length; end++) {
    for (const k of keywords) if (lower.slice(end - k.length, end) === k.toLowerCase()) found.push([k, end]);
  }
  return found;
}

const sort = (list: Array<[string, number]>) =>
  [...list].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));

describe("KeywordMatcher", () => {
  it.each([
    [
      ["he", "she", "his", "hers"],
      "ushers",
      [
        ["she", 4],
        ["he", 4],
        ["hers", 6],
      ],
    ],
    [
      ["ghp_"],
      "token=GHP_abc ghp_x",
      [
        ["ghp_", 10],
        ["ghp_", 18],
      ],
    ],
    [
      ["aaa"],
      "aaaaa",
      [
        ["aaa", 3],
        ["aaa", 4],
        ["aaa", 5],
      ],
    ],
    [["token"], "no match here", []],
    [["-----begin"], "x\n-----BEGIN RSA", [["-----begin", 12]]],
  ] as Array<[string[], string, Array<[string, number]>]>)("%j in %j", (keywords, text, expected) => {
    expect(sort(hits(keywords, text))).toEqual(sort(expected));
  });

  it("agrees with a plain search on random text over a small alphabet", () => {
    const rng = new Rng(42);
    const alphabet = { cls: "", chars: "abAB_-:" };
    for (let round = 0; round < 50; round++) {
      const keywords = [
        ...new Set(Array.from({ length: 6 }, () => rng.chars(alphabet, rng.int(1, 4)).toLowerCase())),
      ];
      const text = rng.chars(alphabet, 300);
      expect(sort(hits(keywords, text))).toEqual(sort(naive(keywords, text)));
    }
  });
});
