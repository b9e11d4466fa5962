import { describe, expect, it } from "vitest";
import type { EventRecord } from "../store/events.js";
import { drainView } from "./views.js";

const step = (ok: boolean, message: string): EventRecord => ({
  id: 1,
  app: "hello",
  release: "r3",
  kind: "step",
  name: "drained",
  ok,
  at: Date.UTC(2026, 11, 3, 12),
  durationMs: 1500,
  message,
  data: null,
});

describe("drainView", () => {
  it.each([
    ["no step, not draining: nothing to show", undefined, false, null],
    [
      "no step yet, the rollback drains in the background",
      undefined,
      true,
      { state: "draining", message: null, at: null, durationMs: null },
    ],
    [
      "every request finished",
      step(true, "r2: all in-flight requests finished"),
      false,
      {
        state: "drained",
        message: "r2: all in-flight requests finished",
        at: "2026-12-03T12:00:00.000Z",
        durationMs: 1500,
      },
    ],
    [
      "requests cut off at drain_timeout",
      step(false, "r2: 3 requests cut off after 2000ms"),
      false,
      {
        state: "cut-off",
        message: "r2: 3 requests cut off after 2000ms",
        at: "2026-12-03T12:00:00.000Z",
        durationMs: 1500,
      },
    ],
    // The step is written before the deployer forgets the drain: the ledger wins.
    [
      "recorded while still listed as draining",
      step(true, "r2: all in-flight requests finished"),
      true,
      { state: "drained" },
    ],
  ])("%s", (_name, drained, draining, expected) => {
    const view = drainView(drained, draining);
    if (expected === null) expect(view).toBeNull();
    else expect(view).toMatchObject(expected);
  });
});
