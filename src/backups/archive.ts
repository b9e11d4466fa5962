import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { PassThrough, type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { constants, createGunzip, createGzip } from "node:zlib";
import { decrypt, encrypt } from "./encryption.js";

/**
 * An archive is the database's backup as stored: the SQLite file gzipped (a pg_dump custom-format file
 * is compressed already), then, when a key is configured, age-encrypted. Everything streams: a 1 GB
 * database never sits in memory. The checksum is of the archive as stored, so any copy can be checked.
 */
export interface ArchiveFormat {
  gzip: boolean;
  /** The age identity, when the archive is (to be) encrypted. */
  key: string | undefined;
}

export interface ArchiveDigest {
  bytes: number;
  sha256: string;
}

/** SQLite pages compress well even at the fastest level; higher levels cost far more time than space. */
const GZIP_LEVEL = constants.Z_BEST_SPEED;

/** Counts and hashes what flows through. */
class Digest extends Transform {
  private readonly hash = createHash("sha256");
  bytes = 0;

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  result(): ArchiveDigest {
    return { bytes: this.bytes, sha256: this.hash.digest("hex") };
  }
}

/** Writes `source` (a database file or a dump) to `file` as an archive; returns the archive's size and checksum. */
export async function writeArchive(
  source: Readable,
  file: string,
  format: ArchiveFormat,
): Promise<ArchiveDigest> {
  const compressed = format.gzip ? source.pipe(createGzip({ level: GZIP_LEVEL })) : source;
  // A gzip error (never expected) or a source error must fail the pipeline below, not go unheard.
  if (compressed !== source) source.once("error", (error) => compressed.destroy(error));
  const sealed = format.key ? await encrypt(compressed, format.key) : compressed;
  const digest = new Digest();
  await pipeline(sealed, digest, createWriteStream(file, { mode: 0o600 }));
  return digest.result();
}

/** The archive's checksum as stored (a copy on disk, or one downloaded). */
export async function digestOf(file: string): Promise<ArchiveDigest> {
  const digest = new Digest();
  await pipeline(createReadStream(file), digest, new PassThrough().resume());
  return digest.result();
}

/** Thrown when an archive's bytes are not the ones recorded when it was taken. */
export class ChecksumError extends Error {}

/**
 * Turns an archive back into the database file or dump at `dest`, checking the archive against the
 * recorded checksum. Decryption and gunzip fail on a truncated or altered archive on their own; the
 * checksum catches what they cannot (a valid archive of another backup, a silently cut gzip member).
 */
export async function unpackArchive(
  archive: Readable,
  dest: string,
  format: ArchiveFormat,
  expected: ArchiveDigest | undefined,
  what: string,
): Promise<void> {
  const digest = new Digest();
  const checked = archive.pipe(digest);
  archive.once("error", (error) => digest.destroy(error));
  const opened = format.key ? await decrypt(checked, format.key, what) : checked;
  const out = createWriteStream(dest, { mode: 0o600 });
  if (format.gzip) await pipeline(opened, createGunzip(), out);
  else await pipeline(opened, out);
  const got = digest.result();
  if (expected && (got.bytes !== expected.bytes || got.sha256 !== expected.sha256)) {
    throw new ChecksumError(
      `${what} is not the archive that was stored: ${got.bytes} bytes with checksum ${got.sha256.slice(0, 12)}…, expected ${expected.bytes} bytes with ${expected.sha256.slice(0, 12)}…`,
    );
  }
}
