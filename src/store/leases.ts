import type { Db } from "./db.js";

export interface Lease {
  app: string;
  holder: string;
  who: string;
  operation: string;
  since: number;
  expiresAt: number;
}

interface Row {
  app: string;
  holder: string;
  who: string;
  operation: string;
  since: number;
  expires_at: number;
}

const fromRow = (row: Row): Lease => ({
  app: row.app,
  holder: row.holder,
  who: row.who,
  operation: row.operation,
  since: row.since,
  expiresAt: row.expires_at,
});

/**
 * One operation per app at a time. A lease expires unless its holder renews it, so a holder that died
 * (a crashed agent, a killed deploy) never leaves the app locked for longer than the lease's ttl.
 */
export class Leases {
  constructor(private readonly db: Db) {}

  /** Takes the lease, or returns the current holder's lease when someone else holds a live one. */
  acquire(
    request: Omit<Lease, "since" | "expiresAt">,
    now: number,
    ttlMs: number,
  ): { ok: true } | { ok: false; held: Lease } {
    return this.db.transaction(() => {
      const row = this.db.prepare("SELECT * FROM leases WHERE app = ?").get(request.app) as Row | undefined;
      if (row && row.holder !== request.holder && row.expires_at > now)
        return { ok: false as const, held: fromRow(row) };
      this.db
        .prepare(
          `INSERT INTO leases (app, holder, who, operation, since, expires_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (app) DO UPDATE SET holder = excluded.holder, who = excluded.who,
             operation = excluded.operation, since = excluded.since, expires_at = excluded.expires_at`,
        )
        .run(request.app, request.holder, request.who, request.operation, now, now + ttlMs);
      return { ok: true as const };
    })();
  }

  /** Extends the lease; false when it is no longer ours. */
  renew(app: string, holder: string, now: number, ttlMs: number): boolean {
    const result = this.db
      .prepare("UPDATE leases SET expires_at = ? WHERE app = ? AND holder = ?")
      .run(now + ttlMs, app, holder);
    return result.changes === 1;
  }

  release(app: string, holder: string): void {
    this.db.prepare("DELETE FROM leases WHERE app = ? AND holder = ?").run(app, holder);
  }

  /** Drops leases whose holder string does not start with `prefix`: held by an agent that no longer runs. */
  releaseAllExcept(prefix: string): number {
    return this.db.prepare("DELETE FROM leases WHERE substr(holder, 1, ?) != ?").run(prefix.length, prefix)
      .changes;
  }

  get(app: string): Lease | undefined {
    const row = this.db.prepare("SELECT * FROM leases WHERE app = ?").get(app) as Row | undefined;
    return row && fromRow(row);
  }
}
