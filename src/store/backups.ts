import type { S3Destination } from "../backups/config.js";
import type { Db } from "./db.js";

export type BackupKind = "sqlite" | "postgres";
export type BackupTrigger = "schedule" | "missed" | "manual" | "release" | "safety";
/** good: verified; bad: taken but failed verification (kept, never restored without --force); failed: not taken. */
export type BackupStatus = "running" | "good" | "bad" | "failed";

/** Where one copy of an archive is. S3 copies keep the destination (secret names, not values) to reach it again. */
export type BackupLocation =
  | { kind: "local"; path: string }
  | { kind: "s3"; destination: S3Destination; key: string };

export interface BackupRecord {
  app: string;
  id: string;
  env: string;
  name: string;
  kind: BackupKind;
  trigger: BackupTrigger;
  release: string | null;
  status: BackupStatus;
  /** The agent secret that holds its age key, when the archive is encrypted. */
  keySecret: string | null;
  bytes: number | null;
  sha256: string | null;
  /** Row count per table when the backup was taken. */
  tables: Record<string, number> | null;
  locations: BackupLocation[];
  verifyNote: string | null;
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  prunedAt: number | null;
}

interface Row {
  app: string;
  id: string;
  env: string;
  name: string;
  kind: BackupKind;
  trigger: BackupTrigger;
  release: string | null;
  status: BackupStatus;
  key_secret: string | null;
  bytes: number | null;
  sha256: string | null;
  tables: string | null;
  locations: string;
  verify_note: string | null;
  error: string | null;
  created_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  pruned_at: number | null;
}

function fromRow(row: Row): BackupRecord {
  return {
    app: row.app,
    id: row.id,
    env: row.env,
    name: row.name,
    kind: row.kind,
    trigger: row.trigger,
    release: row.release,
    status: row.status,
    keySecret: row.key_secret,
    bytes: row.bytes,
    sha256: row.sha256,
    tables: row.tables === null ? null : (JSON.parse(row.tables) as Record<string, number>),
    locations: JSON.parse(row.locations) as BackupLocation[],
    verifyNote: row.verify_note,
    error: row.error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    prunedAt: row.pruned_at,
  };
}

export interface BackupFilter {
  app?: string;
  env?: string;
  name?: string;
  /** Also backups whose copies were all pruned. */
  pruned?: boolean;
  limit?: number;
}

/** The backups ledger: every attempt, its outcome and where its copies are. */
export class Backups {
  constructor(private readonly db: Db) {}

  start(input: {
    app: string;
    env: string;
    name: string;
    kind: BackupKind;
    trigger: BackupTrigger;
    release: string | null;
    keySecret: string | null;
    now: number;
  }): BackupRecord {
    return this.db.transaction(() => {
      const { next } = this.db
        .prepare("SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM backups WHERE app = ?")
        .get(input.app) as { next: number };
      const id = `b${next}`;
      this.db
        .prepare(
          `INSERT INTO backups (app, id, seq, env, name, kind, trigger, release, status, key_secret, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
        )
        .run(
          input.app,
          id,
          next,
          input.env,
          input.name,
          input.kind,
          input.trigger,
          input.release,
          input.keySecret,
          input.now,
        );
      return this.get(input.app, id)!;
    })();
  }

  /** A backup taken and checked: good or bad, with its archive's size, checksum, counts and copies. */
  finish(
    app: string,
    id: string,
    outcome: {
      status: "good" | "bad";
      bytes: number;
      sha256: string;
      tables: Record<string, number> | null;
      locations: BackupLocation[];
      verifyNote: string;
      now: number;
    },
  ): void {
    this.db
      .prepare(
        `UPDATE backups SET status = ?, bytes = ?, sha256 = ?, tables = ?, locations = ?, verify_note = ?,
           finished_at = ?, duration_ms = ? - created_at WHERE app = ? AND id = ?`,
      )
      .run(
        outcome.status,
        outcome.bytes,
        outcome.sha256,
        outcome.tables === null ? null : JSON.stringify(outcome.tables),
        JSON.stringify(outcome.locations),
        outcome.verifyNote,
        outcome.now,
        outcome.now,
        app,
        id,
      );
  }

  fail(app: string, id: string, error: string, now: number): void {
    this.db
      .prepare(
        `UPDATE backups SET status = 'failed', error = ?, finished_at = ?, duration_ms = ? - created_at
         WHERE app = ? AND id = ?`,
      )
      .run(error, now, now, app, id);
  }

  /** A later verification (skiff backups verify) found it bad, or good again. */
  setVerified(app: string, id: string, good: boolean, note: string): void {
    this.db
      .prepare("UPDATE backups SET status = ?, verify_note = ? WHERE app = ? AND id = ?")
      .run(good ? "good" : "bad", note, app, id);
  }

  /** Copies left after pruning some; with none left the backup is pruned. */
  setLocations(app: string, id: string, locations: BackupLocation[], now: number): void {
    this.db
      .prepare("UPDATE backups SET locations = ?, pruned_at = ? WHERE app = ? AND id = ?")
      .run(JSON.stringify(locations), locations.length === 0 ? now : null, app, id);
  }

  get(app: string, id: string): BackupRecord | undefined {
    const row = this.db.prepare("SELECT * FROM backups WHERE app = ? AND id = ?").get(app, id) as
      | Row
      | undefined;
    return row && fromRow(row);
  }

  /** Newest first. */
  list(filter: BackupFilter = {}): BackupRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const key of ["app", "env", "name"] as const) {
      if (filter[key] === undefined) continue;
      where.push(`${key} = ?`);
      args.push(filter[key]);
    }
    if (!filter.pruned) where.push("pruned_at IS NULL");
    const rows = this.db
      .prepare(
        `SELECT * FROM backups ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY created_at DESC, seq DESC LIMIT ?`,
      )
      .all(...args, filter.limit ?? 10_000) as Row[];
    return rows.map(fromRow);
  }

  /** The newest verified backup of one database, the one staleness and retention care about. */
  lastGood(app: string, env: string, name: string): BackupRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM backups WHERE app = ? AND env = ? AND name = ? AND status = 'good' AND pruned_at IS NULL
         ORDER BY created_at DESC, seq DESC LIMIT 1`,
      )
      .get(app, env, name) as Row | undefined;
    return row && fromRow(row);
  }

  /** When the last attempt of one database started, whatever its outcome: the scheduler counts from it. */
  lastAttemptAt(app: string, env: string, name: string): number | undefined {
    const row = this.db
      .prepare("SELECT MAX(created_at) AS at FROM backups WHERE app = ? AND env = ? AND name = ?")
      .get(app, env, name) as { at: number | null };
    return row.at ?? undefined;
  }

  /** The backups taken for a release (before its release: command). */
  forRelease(app: string, release: string): BackupRecord[] {
    const rows = this.db
      .prepare("SELECT * FROM backups WHERE app = ? AND release = ? ORDER BY seq")
      .all(app, release) as Row[];
    return rows.map(fromRow);
  }

  /** After an agent start: backups that were running when the previous agent stopped never finished. */
  failUnfinished(now: number): number {
    return this.db
      .prepare(
        `UPDATE backups SET status = 'failed', error = 'the agent stopped during this backup', finished_at = ?
         WHERE status = 'running'`,
      )
      .run(now).changes;
  }
}
