import { describe, expect, it } from "vitest";
import { previewsToRemove } from "./preview-retention.js";

const DAY = 86_400_000;
const NOW = 100 * DAY;
const live = (ages: Record<string, number>) =>
  Object.entries(ages).map(([slug, days]) => ({ slug, deployedAt: NOW - days * DAY }));

describe("previewsToRemove", () => {
  it.each([
    ["none when under the cap", live({ a: 1, b: 2 }), undefined, []],
    ["the expired ones", live({ a: 1, b: 8, c: 30 }), undefined, ["b", "c"]],
    ["the oldest when a new preview would pass the cap", live({ a: 1, b: 4, c: 2 }), "new", ["b"]],
    ["nothing when the incoming preview already exists", live({ a: 1, b: 4, c: 2 }), "b", []],
    ["never the incoming one, even if expired", live({ a: 9 }), "a", []],
    ["expired ones first, then the oldest", live({ a: 1, b: 2, c: 3, x: 10 }), "new", ["x", "c"]],
    [
      "down to the cap when the cap was lowered",
      live({ a: 1, b: 2, c: 3, d: 4, e: 5 }),
      undefined,
      ["e", "d"],
    ],
  ])("removes %s", (_, previews, incoming, expected) => {
    expect(previewsToRemove(previews, { max: 3, ttlMs: 7 * DAY }, NOW, incoming)).toEqual(expected);
  });
});
