/** Delays before restarting a crashed instance: quick at first, then at most every 30 s. */
export const RESTART_BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000];
/** An instance that stayed up this long has its restart backoff reset. */
export const STABLE_AFTER_MS = 30_000;

/**
 * The wait before the next restart and the restart count after it. Pure: host processes and containers
 * share it, so both back off alike.
 */
export function nextRestart(
  restarts: number,
  startedAt: number,
  now: number,
): { delayMs: number; restarts: number } {
  const count = now - startedAt > STABLE_AFTER_MS ? 0 : restarts;
  return {
    delayMs: RESTART_BACKOFF_MS[Math.min(count, RESTART_BACKOFF_MS.length - 1)]!,
    restarts: count + 1,
  };
}
