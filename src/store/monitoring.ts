import type { IncidentView } from "../monitor/incidents-api.js";
import type { MonitorState } from "../monitor/monitor-state.js";
import type { MonitorStateStore } from "../monitor/state-store.js";
import type { Db } from "./db.js";

/** Monitor states in the ledger, for MonitorService. */
export class MonitorStates implements MonitorStateStore {
  constructor(private readonly db: Db) {}

  loadAll(): Map<string, MonitorState> {
    const rows = this.db.prepare("SELECT id, state FROM monitor_states").all() as Array<{
      id: string;
      state: string;
    }>;
    return new Map(rows.map((row) => [row.id, JSON.parse(row.state) as MonitorState]));
  }

  save(monitorId: string, state: MonitorState): void {
    this.db
      .prepare(
        "INSERT INTO monitor_states (id, state) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
      )
      .run(monitorId, JSON.stringify(state));
  }

  delete(monitorId: string): void {
    this.db.prepare("DELETE FROM monitor_states WHERE id = ?").run(monitorId);
  }
}

interface IncidentRow {
  id: number;
  app: string;
  monitor: string;
  target: string;
  cause: string;
  release: string | null;
  started_at: number;
  opened_at: number;
  resolved_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Incidents: opened when a monitor crosses its failure threshold, resolved when it recovers. */
export class Incidents {
  constructor(private readonly db: Db) {}

  open(input: {
    app: string;
    monitor: string;
    target: string;
    cause: string;
    release: string | null;
    startedAt: number;
    openedAt: number;
  }): void {
    this.db
      .prepare(
        `INSERT INTO incidents (app, monitor, target, cause, release, started_at, opened_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.app,
        input.monitor,
        input.target,
        input.cause,
        input.release,
        input.startedAt,
        input.openedAt,
      );
  }

  /** The cause shown is the last error: a monitor failing differently while open updates it. */
  updateCause(app: string, monitor: string, cause: string): void {
    this.db
      .prepare("UPDATE incidents SET cause = ? WHERE app = ? AND monitor = ? AND resolved_at IS NULL")
      .run(cause, app, monitor);
  }

  resolve(app: string, monitor: string, resolvedAt: number): void {
    this.db
      .prepare("UPDATE incidents SET resolved_at = ? WHERE app = ? AND monitor = ? AND resolved_at IS NULL")
      .run(resolvedAt, app, monitor);
  }

  /**
   * Marks an incident as seen by a person (the dashboard). It stays open until its monitor recovers;
   * false when there is no such incident or it was already acknowledged (the first acknowledgement stays).
   */
  acknowledge(id: number, by: string, at: number): boolean {
    return (
      this.db
        .prepare(
          "UPDATE incidents SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL",
        )
        .run(at, by, id).changes === 1
    );
  }

  /** Open incidents per app, for an overview of every app. */
  openByApp(): Map<string, number> {
    const rows = this.db
      .prepare("SELECT app, COUNT(*) AS n FROM incidents WHERE resolved_at IS NULL GROUP BY app")
      .all() as Array<{ app: string; n: number }>;
    return new Map(rows.map((row) => [row.app, row.n]));
  }

  openCount(): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM incidents WHERE resolved_at IS NULL").get() as { n: number }
    ).n;
  }

  /** Newest first. */
  list(options: { app?: string; open?: boolean; since?: number; limit?: number } = {}): IncidentView[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (options.app) {
      where.push("app = ?");
      args.push(options.app);
    }
    if (options.open) where.push("resolved_at IS NULL");
    if (options.since !== undefined) {
      where.push("opened_at >= ?");
      args.push(options.since);
    }
    const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, options.limit ?? 1000) as IncidentRow[];
    return rows.map((row) => ({
      id: String(row.id),
      app: row.app,
      monitor: row.monitor,
      target: row.target,
      startedAt: iso(row.started_at),
      openedAt: iso(row.opened_at),
      resolvedAt: row.resolved_at === null ? null : iso(row.resolved_at),
      durationMs: row.resolved_at === null ? null : row.resolved_at - row.started_at,
      cause: row.cause,
      release: row.release,
      acknowledgedAt: row.acknowledged_at === null ? null : iso(row.acknowledged_at),
      acknowledgedBy: row.acknowledged_by,
    }));
  }
}

/** Alert deliveries that failed for good, so `skiff status` and the operator can see a broken channel. */
export class AlertFailures {
  constructor(private readonly db: Db) {}

  add(input: {
    app: string;
    channel: string;
    kind: string;
    error: string;
    attempts: number;
    at: number;
  }): void {
    this.db
      .prepare(
        "INSERT INTO alert_failures (app, channel, kind, error, attempts, at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(input.app, input.channel, input.kind, input.error, input.attempts, input.at);
  }

  list(
    app: string,
    limit = 50,
  ): Array<{ channel: string; kind: string; error: string; attempts: number; at: string }> {
    const rows = this.db
      .prepare(
        "SELECT channel, kind, error, attempts, at FROM alert_failures WHERE app = ? ORDER BY id DESC LIMIT ?",
      )
      .all(app, limit) as Array<{
      channel: string;
      kind: string;
      error: string;
      attempts: number;
      at: number;
    }>;
    return rows.map((row) => ({ ...row, at: iso(row.at) }));
  }
}
