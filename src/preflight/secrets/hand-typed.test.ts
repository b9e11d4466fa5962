import { describe, expect, it } from "vitest";
import { ALNUM, HEX } from "./charsets.js";
import { sequentialShare, typedByHand } from "./hand-typed.js";
import { Rng } from "./random.js";

describe("typedByHand", () => {
  it.each([
    ["AbCeFG123", true],
    ["asdfqwer1234asdf", true],
    ["zxcvbnm1", true],
    ["Forge123", true],
    ["admin1234!", true],
    ["xoxp-1234-1234-1234", true],
    ["acdeFf05b1a6d4c890237bf08c5e6e8d2b4d0f2e", true],
    ["Tr0ub4dor%3xK9q", false],
    ["hunter42", false],
    ["5f352379324c22463451387a0aec5d2f", false],
    ["5F352379324C22463451387A0AEC5D2F", false],
  ])("%s → %s", (value, expected) => {
    expect(typedByHand(value)).toBe(expected);
  });

  it("leaves generated values alone: 0 of 10,000 random 16-character tokens or 32-hex keys", () => {
    const rng = new Rng(7);
    let flagged = 0;
    for (let i = 0; i < 10_000; i++) {
      if (typedByHand(rng.chars(ALNUM, 16)) || typedByHand(rng.chars(HEX, 32))) flagged++;
    }
    expect(flagged).toBe(0);
  });

  it("counts the neighbours in a typed run", () => {
    expect(sequentialShare("abcd")).toBe(1);
    expect(sequentialShare("qwer")).toBe(1);
    expect(sequentialShare("a1b2")).toBe(0);
  });
});
