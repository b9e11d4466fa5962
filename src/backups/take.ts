import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { BackupKind } from "../store/backups.js";
import { type ArchiveDigest, type ArchiveFormat, unpackArchive, writeArchive } from "./archive.js";
import { dump, type PgConnection, verifyDump } from "./postgres.js";
import { inspect, inspectionProblems, snapshot } from "./sqlite.js";

/**
 * Taking one backup into an archive file, and checking an archive by restoring it into scratch space.
 * No ledger, no alerts: src/backups/service.ts records what these return.
 */

export type Source = { kind: "sqlite"; file: string } | { kind: "postgres"; connection: PgConnection };

export interface Verification {
  ok: boolean;
  /** How it was checked, or what was wrong. */
  note: string;
  /** Rows per table found in the restored copy. */
  tables: Record<string, number> | null;
}

export interface Taken {
  digest: ArchiveDigest;
  /** Rows per table when taken (SQLite: in the snapshot; PostgreSQL: in the dump, counted on restore). */
  tables: Record<string, number> | null;
  verification: Verification;
}

export function formatFor(kind: BackupKind, key: string | undefined): ArchiveFormat {
  return { gzip: kind === "sqlite", key };
}

/** `scratch` is a path prefix in the staging directory for the temporary files of this backup. */
export async function takeArchive(
  source: Source,
  archive: string,
  key: string | undefined,
  scratch: string,
): Promise<Taken> {
  const format = formatFor(source.kind, key);
  if (source.kind === "sqlite") {
    const raw = `${scratch}.snapshot`;
    try {
      await snapshot(source.file, raw);
      const { tables } = await inspect(raw);
      const digest = await writeArchive(createReadStream(raw), archive, format);
      // The snapshot is as large as the database: gone before the scratch copy is made.
      await rm(raw, { force: true });
      const verification = await verifyArchive(
        source,
        () => Promise.resolve(createReadStream(archive)),
        format,
        digest,
        tables,
        scratch,
        "the new backup",
      );
      return { digest, tables, verification };
    } finally {
      await rm(raw, { force: true });
    }
  }
  const { stream, done } = dump(source.connection);
  const [digest] = await Promise.all([writeArchive(stream, archive, format), done]);
  const verification = await verifyArchive(
    source,
    () => Promise.resolve(createReadStream(archive)),
    format,
    digest,
    null,
    scratch,
    "the new backup",
  );
  return { digest, tables: verification.tables, verification };
}

/**
 * Restores the archive into scratch space and checks it. SQLite: integrity_check and every table's row
 * count against the counts recorded when it was taken. PostgreSQL: pg_restore into a scratch database
 * (or the dump's table of contents when none can be created). A checksum mismatch, a truncated
 * archive or a wrong key all end here as a failed verification, with the reason.
 */
export async function verifyArchive(
  source: Source,
  open: () => Promise<Readable>,
  format: ArchiveFormat,
  expected: ArchiveDigest | undefined,
  recorded: Record<string, number> | null,
  scratch: string,
  what: string,
): Promise<Verification> {
  const file = `${scratch}.verify`;
  try {
    try {
      await unpackArchive(await open(), file, format, expected, what);
    } catch (error) {
      return { ok: false, note: `cannot read ${what}: ${(error as Error).message}`, tables: null };
    }
    if (source.kind === "postgres") return await verifyDump(file, source.connection);
    const inspection = await inspect(file).catch((error: Error) => error);
    if (inspection instanceof Error)
      return { ok: false, note: `not a readable SQLite database: ${inspection.message}`, tables: null };
    const problems = inspectionProblems(inspection, recorded);
    const rows = Object.values(inspection.tables).reduce((a, b) => a + b, 0);
    return problems.length === 0
      ? {
          ok: true,
          note: `restored into a scratch file: integrity_check ok, ${Object.keys(inspection.tables).length} tables, ${rows} rows as taken`,
          tables: inspection.tables,
        }
      : { ok: false, note: problems.join("; "), tables: inspection.tables };
  } finally {
    await rm(file, { force: true });
  }
}
