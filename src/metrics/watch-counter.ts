import type { LatencyBucket, ReleaseCounts } from "./watch.js";

/** Bucket bounds in ms: fine where limits usually sit (100ms–5s), coarse beyond. */
export const WATCH_BUCKETS_MS = [
  5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 7500,
  10_000, 30_000,
] as const;

/**
 * What the proxy counts for a release while it is watched. `record` runs on every proxied
 * request, so it only bumps integers in preallocated arrays.
 */
export class WatchCounter {
  private requests = 0;
  private errors5xx = 0;
  /** counts[i] holds durations ≤ WATCH_BUCKETS_MS[i]; the last slot is everything slower. */
  private readonly counts = new Uint32Array(WATCH_BUCKETS_MS.length + 1);

  record(statusCode: number, durationMs: number): void {
    this.requests++;
    if (statusCode >= 500) this.errors5xx++;
    let i = 0;
    while (i < WATCH_BUCKETS_MS.length && durationMs > WATCH_BUCKETS_MS[i]!) i++;
    this.counts[i]!++;
  }

  snapshot(healthy: boolean): ReleaseCounts {
    const buckets: LatencyBucket[] = [...this.counts].map((count, i) => ({
      leMs: WATCH_BUCKETS_MS[i] ?? Number.POSITIVE_INFINITY,
      count,
    }));
    return { requests: this.requests, errors5xx: this.errors5xx, latency: { buckets }, healthy };
  }
}
