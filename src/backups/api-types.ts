import type { BackupRecord } from "../store/backups.js";
import { describeLocation } from "./copies.js";

/** The backups API's shapes, shared by the agent and the CLI (docs/cli.md documents them). */

export interface BackupView {
  id: string;
  app: string;
  env: string;
  /** The database's name: in skiff.yml. */
  name: string;
  kind: "sqlite" | "postgres";
  trigger: BackupRecord["trigger"];
  /** The release whose release: command this backup came before. */
  release: string | null;
  status: BackupRecord["status"];
  /** Restored into scratch space and checked (status good). */
  verified: boolean;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** The archive as stored. */
  bytes: number | null;
  sha256: string | null;
  encrypted: boolean;
  /** Rows per table when taken. */
  tables: Record<string, number> | null;
  /** Where its copies are: a local path or s3://bucket/key. */
  locations: string[];
  verifyNote: string | null;
  error: string | null;
}

export interface BackupsResponse {
  backups: BackupView[];
}

export interface BackupNowResponse {
  backups: BackupView[];
}

export interface RestoreRequest {
  env?: string;
  force?: boolean;
  requestedBy?: string;
}

export interface RestoreResponse {
  backup: BackupView;
  env: string;
  /** The backup of what was there before the restore (none when there was no database yet). */
  safety: BackupView | null;
  durationMs: number;
  note: string;
}

export function backupView(record: BackupRecord): BackupView {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: record.id,
    app: record.app,
    env: record.env,
    name: record.name,
    kind: record.kind,
    trigger: record.trigger,
    release: record.release,
    status: record.status,
    verified: record.status === "good",
    createdAt: new Date(record.createdAt).toISOString(),
    finishedAt: iso(record.finishedAt),
    durationMs: record.durationMs,
    bytes: record.bytes,
    sha256: record.sha256,
    encrypted: record.keySecret !== null,
    tables: record.tables,
    locations: record.locations.map(describeLocation),
    verifyNote: record.verifyNote,
    error: record.error,
  };
}
