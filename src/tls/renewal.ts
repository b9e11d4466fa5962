/**
 * When a certificate is renewed and how long a failed attempt waits before the next: pure functions
 * of the certificate's dates, the agent's setting and the clock, tested with tables.
 */

const DAY_MS = 86_400_000;

/** Let's Encrypt's and certbot's rule of thumb: renew with 30 days left... */
const DEFAULT_RENEW_BEFORE_MS = 30 * DAY_MS;

/**
 * ...or, for short-lived certificates, with a third of the lifetime left, whichever is later to come:
 * a 90-day certificate renews with 30 days left, a 6-day one with 2, a 5-year one (Pebble) with 30.
 * `renewBeforeMs` (the agent's --cert-renew-before) replaces the rule.
 */
export function renewalWindowMs(notBefore: number, notAfter: number, renewBeforeMs?: number): number {
  if (renewBeforeMs !== undefined) return renewBeforeMs;
  return Math.min(DEFAULT_RENEW_BEFORE_MS, (notAfter - notBefore) / 3);
}

export interface RenewalInput {
  notBefore: number;
  notAfter: number;
  /** When this agent got the certificate: a renewal never follows the previous one sooner than `minIntervalMs`. */
  obtainedAt: number;
  renewBeforeMs?: number | undefined;
  minIntervalMs: number;
}

/** When the certificate should be renewed (may be in the past: renew now). */
export function renewalTime(c: RenewalInput): number {
  const due = c.notAfter - renewalWindowMs(c.notBefore, c.notAfter, c.renewBeforeMs);
  // A window longer than the lifetime would renew in a loop; the floor keeps it to one order per interval.
  return Math.max(due, c.obtainedAt + c.minIntervalMs);
}

export interface BackoffPolicy {
  firstMs: number;
  maxMs: number;
}

/**
 * One failed validation costs one of Let's Encrypt's 5 per hour per host, so retries start at minutes and
 * double up to a day; a rate limit's own "retry after" wins when it is later.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { firstMs: 5 * 60_000, maxMs: DAY_MS };

/** The wait after the `failures`-th failure in a row (1 = the first). */
export function retryDelayMs(failures: number, policy: BackoffPolicy, retryAfterMs?: number): number {
  const exponential = Math.min(policy.maxMs, policy.firstMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return Math.max(exponential, retryAfterMs ?? 0);
}

/**
 * The wait a CA asks for in a rate-limit error's text: Let's Encrypt writes
 * `…: retry after 2025-01-01 00:00:00 UTC: see https://…`, Boulder also `retry after 3h0m0s`.
 */
export function retryAfterMs(message: string, now: number): number | undefined {
  const at = /retry after (\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})(?:\s*UTC|Z)?/i.exec(message);
  if (at) {
    const time = Date.parse(`${at[1]!.replace(" ", "T")}Z`);
    return Number.isNaN(time) ? undefined : Math.max(0, time - now);
  }
  const span = /retry after ((?:\d+(?:\.\d+)?(?:h|m|s|ms))+)/i.exec(message);
  if (!span) return undefined;
  let total = 0;
  for (const [, value, unit] of span[1]!.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(value) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[unit as "h" | "m" | "s" | "ms"];
  }
  return Math.round(total);
}
