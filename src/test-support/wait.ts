import { vi } from "vitest";

/**
 * Waiting in tests: on the event itself, never on the clock (docs: /work/shared/STYLE.md). Prefer a
 * promise the code under test resolves (`deferred`), then `until` for state only visible by asking
 * (an HTTP API, the ledger, /proc), then fake timers for "nothing happens until N ms have passed".
 * A fixed sleep passes on a fast machine and fails, or passes without testing anything, on a slow one.
 */

/** How long `until` waits by default: an e2e step on a loaded 2-core machine, not a fast laptop. */
const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Resolves with `check`'s first value that is not undefined, null or false, asking again every
 * `intervalMs`; fails naming `what` after `timeoutMs`. Under fake timers it advances them itself
 * (vi.waitFor does).
 */
export async function until<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  try {
    return await vi.waitFor(
      async () => {
        const value = await check();
        if (value === undefined || value === null || value === false) throw new Error("not yet");
        return value;
      },
      { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, interval: options.intervalMs ?? 25 },
    );
  } catch (error) {
    if (error instanceof Error && error.message === "not yet")
      throw new Error(`timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms waiting for ${what}`);
    throw error;
  }
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/** A promise and its resolve, for a test to hand to the code under test and await the event. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
