/**
 * Slows down guessing the API token on the login form. Per client address: the first few wrong tries
 * are free (typos), then each wrong try locks the address out for twice as long as the one before, up
 * to a ceiling. While locked out a try is refused before the token is even compared. A right token
 * clears the record. One-time links are not limited: they are signed, so there is nothing to guess,
 * and they are how the owner gets in while an attacker keeps the token form locked.
 */

export const FREE_FAILURES = 5;
export const FIRST_LOCK_MS = 1_000;
export const MAX_LOCK_MS = 15 * 60_000;
/** An address with no wrong try for this long starts over. */
const FORGET_AFTER_MS = 60 * 60_000;
/** Addresses remembered at most (oldest forgotten first), so a flood of addresses cannot fill memory. */
const MAX_TRACKED = 10_000;

interface Record {
  failures: number;
  lockedUntil: number;
  lastFailureAt: number;
}

export type LimitCheck = { ok: true } | { ok: false; retryAfterMs: number };

/** Pure: how long an address is locked out after its `failures`-th wrong try in a row. */
export function lockAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(FIRST_LOCK_MS * 2 ** (failures - FREE_FAILURES), MAX_LOCK_MS);
}

export class LoginLimiter {
  private readonly records = new Map<string, Record>();

  check(address: string, now: number): LimitCheck {
    const record = this.records.get(address);
    if (!record || record.lockedUntil <= now) return { ok: true };
    return { ok: false, retryAfterMs: record.lockedUntil - now };
  }

  failed(address: string, now: number): void {
    const known = this.records.get(address);
    const record =
      known && now - known.lastFailureAt < FORGET_AFTER_MS
        ? known
        : { failures: 0, lockedUntil: 0, lastFailureAt: 0 };
    record.lastFailureAt = now;
    record.failures += 1;
    record.lockedUntil = now + lockAfter(record.failures);
    this.records.delete(address);
    this.records.set(address, record);
    if (this.records.size > MAX_TRACKED) this.records.delete(this.records.keys().next().value!);
  }

  succeeded(address: string): void {
    this.records.delete(address);
  }
}
