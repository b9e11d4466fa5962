import { KEEP_ALIVE_SECONDS } from "./headers.js";

/**
 * What the proxy allows a client before it gives up on it. The public port faces anyone: a client that
 * sends its request slowly, or does not read its answer, must not hold an app's connections (issue 10).
 * Defaults suit production; `skiff agent` flags change them (docs/cli.md), tests shorten them.
 */
export interface ProxyLimits {
  /** An idle keep-alive connection is closed after this long (announced as `Keep-Alive: timeout`). */
  idleMs: number;
  /** A request head must be complete this long after its first byte (slow-header clients hold slots). */
  headMs: number;
  /**
   * A request body must keep arriving: the longest pause allowed between two of its reads, and the time
   * it has at the start. Past it: 408, and the request to the app (if it began) is aborted.
   */
  bodyMs: number;
  /**
   * The slowest a request body may arrive on average, in bytes per second, so that a client dripping a
   * byte every few seconds cannot keep a request open forever. Every byte buys 1/rate seconds, never
   * more than `bodyMs` ahead.
   */
  minBodyRate: number;
  /** A client that takes none of its answer for this long is disconnected (and the app's side freed). */
  sendMs: number;
  /**
   * Request bodies up to this size are read whole before a connection to the app is taken (so a slow
   * upload of a form holds no app connection, and the request can be retried); larger ones are streamed
   * once this much has arrived.
   */
  bodyBufferBytes: number;
  /**
   * Connections to each app instance that work for it at once; more requests wait for one. Connections
   * whose request waits on its own slow client do not count, up to 4× this in all (see UpstreamPool).
   */
  upstreamConnections: number;
  /** How often connections are checked against those limits (they may live this much longer). */
  sweepMs: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  idleMs: KEEP_ALIVE_SECONDS * 1000,
  headMs: 66_000,
  bodyMs: 30_000,
  minBodyRate: 1024,
  sendMs: 30_000,
  bodyBufferBytes: 64 * 1024,
  upstreamConnections: 128,
  sweepMs: 2_000,
};

/**
 * When a request body that has `deadline` until now must be complete gets `bytes` more at `now`: each
 * byte buys 1/minBodyRate seconds, but never more than `bodyMs` ahead of now. Pure, for tests.
 */
export function extendBodyDeadline(
  deadline: number,
  bytes: number,
  now: number,
  limits: ProxyLimits,
): number {
  return Math.min(now + limits.bodyMs, deadline + (bytes * 1000) / limits.minBodyRate);
}
