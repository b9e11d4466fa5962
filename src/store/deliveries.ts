import type { Db } from "./db.js";

/** How long a delivery id is remembered: longer than any provider retries or lets a person redeliver. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3_600_000;

/**
 * The webhook delivery ids received, kept in the ledger so that a delivery seen before is recognised
 * after a restart too (GitHub and GitLab retry, a person may redeliver, an attacker may replay).
 * Implements the webhook handler's DeliveryMemory; ids older than `retentionMs` are forgotten.
 */
export class Deliveries {
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly retentionMs = DELIVERY_RETENTION_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records `id`; false when it was already there (a repeated delivery). */
  remember(id: string): boolean {
    const now = this.now();
    this.prune(now);
    const result = this.db
      .prepare("INSERT OR IGNORE INTO webhook_deliveries (id, received_at) VALUES (?, ?)")
      .run(id, now);
    return result.changes === 1;
  }

  has(id: string): boolean {
    const row = this.db
      .prepare("SELECT received_at FROM webhook_deliveries WHERE id = ? AND received_at >= ?")
      .get(id, this.now() - this.retentionMs);
    return row !== undefined;
  }

  /** At most hourly: forgets ids past the retention window. */
  private prune(now: number): void {
    if (now - this.lastPrune < 3_600_000) return;
    this.lastPrune = now;
    this.db.prepare("DELETE FROM webhook_deliveries WHERE received_at < ?").run(now - this.retentionMs);
  }
}
