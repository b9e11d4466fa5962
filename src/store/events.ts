import type { Db } from "./db.js";

export interface EventRecord {
  id: number;
  app: string;
  release: string | null;
  kind: string;
  name: string;
  ok: boolean;
  at: number;
  durationMs: number | null;
  message: string | null;
  data: unknown;
}

export type NewEvent = Omit<EventRecord, "id" | "ok" | "durationMs" | "message" | "data" | "release"> &
  Partial<Pick<EventRecord, "ok" | "durationMs" | "message" | "data" | "release">>;

interface Row {
  id: number;
  app: string;
  release: string | null;
  kind: string;
  name: string;
  ok: number;
  at: number;
  duration_ms: number | null;
  message: string | null;
  data: string | null;
}

/** The append-only event log: deploy steps, instance exits and restarts, rollbacks. */
export class Events {
  private readonly listeners = new Set<(event: EventRecord) => void>();

  constructor(private readonly db: Db) {}

  /**
   * Calls `listener` with every event added from now on (the dashboard's live deploy progress).
   * Returns the unsubscribe function. A listener that throws is the listener's problem, never the deploy's.
   */
  subscribe(listener: (event: EventRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(event: NewEvent): EventRecord {
    const result = this.db
      .prepare(
        `INSERT INTO events (app, release, kind, name, ok, at, duration_ms, message, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        event.app,
        event.release ?? null,
        event.kind,
        event.name,
        event.ok === false ? 0 : 1,
        event.at,
        event.durationMs ?? null,
        event.message ?? null,
        event.data === undefined ? null : JSON.stringify(event.data),
      );
    const added: EventRecord = {
      id: Number(result.lastInsertRowid),
      release: null,
      ok: true,
      durationMs: null,
      message: null,
      data: null,
      ...event,
    };
    for (const listener of this.listeners) {
      try {
        listener(added);
      } catch {
        // See subscribe.
      }
    }
    return added;
  }

  /** The events of several releases of one app, oldest first (a page of the dashboard's timeline). */
  forReleases(app: string, releases: string[]): EventRecord[] {
    if (releases.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM events WHERE app = ? AND release IN (${releases.map(() => "?").join(", ")}) ORDER BY id`,
      )
      .all(app, ...releases) as Row[];
    return rows.map(fromRow);
  }

  /** The steps called `name` of several releases of one app, oldest first (how each one drained…). */
  steps(app: string, name: string, releases: string[]): EventRecord[] {
    if (releases.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM events WHERE app = ? AND kind = 'step' AND name = ?
         AND release IN (${releases.map(() => "?").join(", ")}) ORDER BY id`,
      )
      .all(app, name, ...releases) as Row[];
    return rows.map(fromRow);
  }

  list(app: string, options: { release?: string; limit?: number } = {}): EventRecord[] {
    const rows = (
      options.release
        ? this.db
            .prepare("SELECT * FROM events WHERE app = ? AND release = ? ORDER BY id DESC LIMIT ?")
            .all(app, options.release, options.limit ?? 500)
        : this.db
            .prepare("SELECT * FROM events WHERE app = ? ORDER BY id DESC LIMIT ?")
            .all(app, options.limit ?? 500)
    ) as Row[];
    return rows.reverse().map(fromRow);
  }
}

function fromRow(row: Row): EventRecord {
  return {
    id: row.id,
    app: row.app,
    release: row.release,
    kind: row.kind,
    name: row.name,
    ok: row.ok === 1,
    at: row.at,
    durationMs: row.duration_ms,
    message: row.message,
    data: row.data === null ? null : JSON.parse(row.data),
  };
}
