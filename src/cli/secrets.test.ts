import { describe, expect, it } from "vitest";
import { applyKeys } from "./secrets.js";

describe("applyKeys (the hidden prompt of skiff secrets set)", () => {
  it.each([
    ["plain text, then Enter", "", "s3cret\r", { value: "s3cret", end: "enter" }],
    ["Ctrl-D ends like Enter", "ab", "c\u0004", { value: "abc", end: "enter" }],
    ["Ctrl-C cancels", "abc", "\u0003", { value: "abc", end: "cancel" }],
    ["Backspace deletes, arrows are ignored", "", "ab\u001b[Dc\u007fd", { value: "abd" }],
    ["other control characters are dropped", "", "a\u001ab\tc", { value: "abc" }],
    ["typing goes on across chunks", "abc", "def", { value: "abcdef" }],
  ])("%s", (_name, value, keys, expected) => {
    expect(applyKeys(value, keys)).toEqual(expected);
  });
});
