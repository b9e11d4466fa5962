import type { WatchLimits } from "./watch-config.js";

/**
 * The auto-rollback rule, pure: given what the proxy counted for the new release since the
 * switch, is it worse than the limits? Health fails at once; error rate and latency are judged
 * only once enough requests came in to mean something.
 */

/** A histogram bucket: requests that took at most `leMs` (and more than the previous bucket's). */
export interface LatencyBucket {
  leMs: number;
  count: number;
}

export interface ReleaseCounts {
  requests: number;
  errors5xx: number;
  /** Raw durations, or a histogram with ascending bounds (the last may be Infinity). */
  latency: { samplesMs: number[] } | { buckets: LatencyBucket[] };
  healthy: boolean;
}

export interface WatchDecision {
  rollback: boolean;
  reason: string;
}

export function decideWatch(counts: ReleaseCounts, limits: WatchLimits): WatchDecision {
  if (!counts.healthy) return { rollback: true, reason: "its health check is failing" };
  if (counts.requests < limits.minRequests) {
    return { rollback: false, reason: `waiting for requests: ${counts.requests} of ${limits.minRequests}` };
  }
  const errorRate = counts.errors5xx / counts.requests;
  const share = `5xx share ${percent(errorRate)} (${counts.errors5xx} of ${counts.requests})`;
  if (errorRate > limits.maxErrorRate) {
    return { rollback: true, reason: `${share} is over the ${percent(limits.maxErrorRate)} limit` };
  }
  const p95 = percentile95(counts.latency);
  const latency = `p95 latency ${ms(p95)}`;
  if (p95 > limits.maxP95LatencyMs) {
    return { rollback: true, reason: `${latency} is over the ${ms(limits.maxP95LatencyMs)} limit` };
  }
  return { rollback: false, reason: `within limits: ${share}, ${latency}` };
}

export function percentile95(latency: ReleaseCounts["latency"]): number {
  return "samplesMs" in latency ? nearestRank(latency.samplesMs, 0.95) : fromBuckets(latency.buckets, 0.95);
}

function nearestRank(samples: number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Linear interpolation inside the bucket that holds the quantile, as Prometheus's
 * histogram_quantile does. In the open-ended last bucket the answer is its lower bound.
 */
function fromBuckets(buckets: LatencyBucket[], q: number): number {
  const total = buckets.reduce((n, b) => n + b.count, 0);
  if (total === 0) return 0;
  const rank = q * total;
  let below = 0;
  let lower = 0;
  for (const bucket of buckets) {
    if (below + bucket.count >= rank) {
      if (!Number.isFinite(bucket.leMs)) return lower;
      return lower + ((bucket.leMs - lower) * (rank - below)) / bucket.count;
    }
    below += bucket.count;
    lower = bucket.leMs;
  }
  return lower;
}

function percent(rate: number): string {
  const p = rate * 100;
  return `${Number.isInteger(p) ? p : p.toFixed(p < 1 ? 2 : 1)}%`;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2).replace(/\.?0+$/, "")}s` : `${Math.round(value)}ms`;
}
