/**
 * Where the webhook handler remembers delivery ids, so that a webhook delivered twice (GitHub and
 * GitLab retry, and both let a person redeliver) deploys once. The agent keeps them in its ledger
 * (src/store/deliveries.ts), across restarts; `DeliveryMemory` is the in-memory one.
 */
export interface DeliveryLog {
  /** Records `id`; false when it was already there (a repeated delivery). */
  remember(id: string): boolean;
}

/** Delivery ids in memory, bounded: past `capacity` the oldest ids are forgotten. */
export class DeliveryMemory implements DeliveryLog {
  private readonly ids = new Set<string>();

  constructor(readonly capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a whole number ≥ 1");
  }

  /** Records `id`; false when it was already there (a repeated delivery). */
  remember(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order, so the first id is the oldest.
      this.ids.delete(this.ids.values().next().value as string);
    }
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
