import { describe, expect, it } from "vitest";
import { nextRestart } from "./restart-backoff.js";

describe("nextRestart", () => {
  it.each([
    { restarts: 0, upMs: 50, delayMs: 100, next: 1 },
    { restarts: 1, upMs: 50, delayMs: 250, next: 2 },
    { restarts: 7, upMs: 50, delayMs: 30_000, next: 8 },
    { restarts: 20, upMs: 50, delayMs: 30_000, next: 21 },
    // Up longer than 30 s: a fresh crash, not a crash loop.
    { restarts: 6, upMs: 31_000, delayMs: 100, next: 1 },
  ])("after $restarts restarts, up $upMs ms → wait $delayMs ms", ({ restarts, upMs, delayMs, next }) => {
    expect(nextRestart(restarts, 1_000, 1_000 + upMs)).toEqual({ delayMs, restarts: next });
  });
});
