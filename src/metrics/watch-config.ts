import { z } from "zod";
import { count, duration, percent } from "../config/fields.js";

/** `watch:` in skiff.yml: the limits a new release is held to right after a deploy. */
export interface WatchLimits {
  /** How long after the switch the release is watched; 0 turns watching off. */
  windowMs: number;
  /** Largest tolerated share of 5xx responses, 0..1. */
  maxErrorRate: number;
  maxP95LatencyMs: number;
  /** Judge error rate and latency only once this many requests were seen. */
  minRequests: number;
}

export const WATCH_KNOWN_KEYS: Record<string, string[]> = {
  watch: ["window", "max_error_rate", "max_p95_latency", "min_requests"],
};

export const watchSchema = z
  .strictObject({
    window: duration("5m"),
    max_error_rate: percent("1%"),
    max_p95_latency: duration("2s"),
    min_requests: count(20, 1, 1_000_000),
  })
  // prefault: an absent section is parsed as {} so the field defaults above apply.
  .prefault({})
  .transform(
    (w): WatchLimits => ({
      windowMs: w.window,
      maxErrorRate: w.max_error_rate,
      maxP95LatencyMs: w.max_p95_latency,
      minRequests: w.min_requests,
    }),
  );
