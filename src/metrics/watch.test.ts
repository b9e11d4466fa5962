import { describe, expect, it } from "vitest";
import { decideWatch, percentile95, type ReleaseCounts } from "./watch.js";
import type { WatchLimits } from "./watch-config.js";
import { WatchCounter } from "./watch-counter.js";

const LIMITS: WatchLimits = { windowMs: 300_000, maxErrorRate: 0.01, maxP95LatencyMs: 2000, minRequests: 20 };

/** `n` requests, `errors` of them 5xx, with durations spread evenly from 1 to `slowestMs`. */
function counts(n: number, errors: number, slowestMs: number, healthy = true): ReleaseCounts {
  const samplesMs = Array.from({ length: n }, (_, i) => ((i + 1) * slowestMs) / n);
  return { requests: n, errors5xx: errors, latency: { samplesMs }, healthy };
}

describe("decideWatch", () => {
  it.each<[string, ReleaseCounts, boolean, string]>([
    [
      "unhealthy rolls back even with no traffic",
      counts(0, 0, 0, false),
      true,
      "its health check is failing",
    ],
    ["too few requests to judge", counts(19, 19, 100), false, "waiting for requests: 19 of 20"],
    [
      "errors at the limit are tolerated",
      counts(200, 2, 100),
      false,
      "within limits: 5xx share 1% (2 of 200), p95 latency 95ms",
    ],
    [
      "errors over the limit roll back",
      counts(200, 3, 100),
      true,
      "5xx share 1.5% (3 of 200) is over the 1% limit",
    ],
    [
      "a small share under 1%",
      counts(1000, 5, 100),
      false,
      "within limits: 5xx share 0.50% (5 of 1000), p95 latency 95ms",
    ],
    ["slow p95 rolls back", counts(100, 0, 2200), true, "p95 latency 2.09s is over the 2s limit"],
    [
      "p95 at the limit is tolerated",
      {
        requests: 100,
        errors5xx: 0,
        latency: { samplesMs: [...Array(95).fill(2000), ...Array(5).fill(9000)] },
        healthy: true,
      },
      false,
      "within limits: 5xx share 0% (0 of 100), p95 latency 2s",
    ],
  ])("%s", (_name, input, rollback, reason) => {
    expect(decideWatch(input, LIMITS)).toEqual({ rollback, reason });
  });
});

describe("percentile95", () => {
  it.each([
    [{ samplesMs: [] }, 0],
    [{ samplesMs: [7] }, 7],
    [{ samplesMs: Array.from({ length: 100 }, (_, i) => i + 1) }, 95],
    // 100 requests: 90 under 100ms, 10 in (100, 500]: rank 95 is 5 of 10 into that bucket → 300ms
    [
      {
        buckets: [
          { leMs: 100, count: 90 },
          { leMs: 500, count: 10 },
        ],
      },
      300,
    ],
    [
      {
        buckets: [
          { leMs: 100, count: 0 },
          { leMs: 200, count: 100 },
        ],
      },
      195,
    ],
    // the quantile lands in the open-ended bucket: its lower bound is the best estimate
    [
      {
        buckets: [
          { leMs: 100, count: 50 },
          { leMs: Number.POSITIVE_INFINITY, count: 50 },
        ],
      },
      100,
    ],
    [{ buckets: [{ leMs: 100, count: 0 }] }, 0],
  ])("%j → %d", (latency, expected) => {
    expect(percentile95(latency)).toBeCloseTo(expected, 6);
  });
});

describe("WatchCounter", () => {
  it("counts requests, 5xx and latency buckets for the decision", () => {
    const counter = new WatchCounter();
    for (let i = 0; i < 95; i++) counter.record(200, 40);
    for (let i = 0; i < 5; i++) counter.record(503, 3000);
    const snapshot = counter.snapshot(true);
    expect(snapshot).toMatchObject({ requests: 100, errors5xx: 5, healthy: true });
    if (!("buckets" in snapshot.latency)) throw new Error("expected buckets");
    const nonEmpty = snapshot.latency.buckets.filter((b) => b.count > 0);
    expect(nonEmpty).toEqual([
      { leMs: 50, count: 95 },
      { leMs: 3000, count: 5 },
    ]);
    expect(decideWatch(snapshot, LIMITS)).toEqual({
      rollback: true,
      reason: "5xx share 5% (5 of 100) is over the 1% limit",
    });
  });

  it("puts a duration above every bound in the open-ended bucket", () => {
    const counter = new WatchCounter();
    counter.record(200, 60_000);
    const { latency } = counter.snapshot(true);
    if (!("buckets" in latency)) throw new Error("expected buckets");
    expect(latency.buckets.at(-1)).toEqual({ leMs: Number.POSITIVE_INFINITY, count: 1 });
  });
});
