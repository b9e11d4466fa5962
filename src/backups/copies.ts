import { createReadStream } from "node:fs";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { SecretLookup } from "../secrets/secret-store.js";
import type { BackupLocation } from "../store/backups.js";
import type { Destination } from "./config.js";
import { download, remove, upload } from "./s3.js";

/**
 * Where an archive's copies go and how they come back: a file under DATA_DIR/backups/<app>/<env>/<db>/
 * and/or an object under `<prefix><app>/<env>/<db>/` in a bucket.
 */

export interface ArchiveRef {
  app: string;
  env: string;
  name: string;
  /** The archive's file name, like `b12-2026-01-02T030000Z.db.gz`: the same locally and in S3. */
  fileName: string;
  /** The archive on local disk, ready to be copied. */
  file: string;
  bytes: number;
  /** The local directory for this database's copies. */
  localDir: string;
}

export interface CopyResult {
  locations: BackupLocation[];
  /** One line per destination that failed, naming it. */
  errors: string[];
}

/** Copies the archive to every destination; a failed one is reported, not fatal, while another succeeds. */
export async function storeCopies(
  ref: ArchiveRef,
  destinations: readonly Destination[],
  secrets: SecretLookup,
  field: string,
): Promise<CopyResult> {
  const locations: BackupLocation[] = [];
  const errors: string[] = [];
  for (const [i, destination] of destinations.entries()) {
    try {
      if (destination.kind === "local") {
        await mkdir(ref.localDir, { recursive: true, mode: 0o700 });
        const path = join(ref.localDir, ref.fileName);
        await copyFile(ref.file, path);
        locations.push({ kind: "local", path });
      } else {
        const key = `${destination.prefix}${ref.app}/${ref.env}/${ref.name}/${ref.fileName}`;
        await upload(destination, key, ref.file, ref.bytes, secrets, `${field}.to.${i}.s3`);
        locations.push({ kind: "s3", destination, key });
      }
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { locations, errors };
}

/** The copy as a stream of the archive's bytes. */
export function openCopy(location: BackupLocation, secrets: SecretLookup): Promise<Readable> {
  if (location.kind === "local") {
    const stream = createReadStream(location.path);
    // Opening errors (ENOENT) surface here, not later in the middle of a pipeline.
    return new Promise((resolve, reject) => {
      stream.once("open", () => resolve(stream));
      stream.once("error", reject);
    });
  }
  return download(location.destination, location.key, secrets, `s3://${location.destination.bucket}`);
}

export async function deleteCopy(location: BackupLocation, secrets: SecretLookup): Promise<void> {
  if (location.kind === "local") await rm(location.path, { force: true });
  else await remove(location.destination, location.key, secrets, `s3://${location.destination.bucket}`);
}

export function describeLocation(location: BackupLocation): string {
  if (location.kind === "local") return location.path;
  const { destination, key } = location;
  return `s3://${destination.bucket}/${key}${destination.endpoint ? ` (${destination.endpoint})` : ""}`;
}
