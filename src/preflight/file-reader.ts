import { closeSync, constants, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { ContentScanner } from "./content-scanner.js";
import type { Finding } from "./types.js";

/** Files over this are skipped (and counted): generated bundles and data, not code someone typed. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Git's own test: a NUL byte in the first 8000 bytes makes a file binary. */
const BINARY_PROBE = 8000;

export interface ScanTotals {
  findings: Finding[];
  filesScanned: number;
  bytesScanned: number;
  binary: number;
  tooLarge: number;
  allowedInline: number;
}

export function emptyTotals(): ScanTotals {
  return { findings: [], filesScanned: 0, bytesScanned: 0, binary: 0, tooLarge: 0, allowedInline: 0 };
}

export function addTotals(into: ScanTotals, more: ScanTotals): void {
  into.findings.push(...more.findings);
  into.filesScanned += more.filesScanned;
  into.bytesScanned += more.bytesScanned;
  into.binary += more.binary;
  into.tooLarge += more.tooLarge;
  into.allowedInline += more.allowedInline;
}

/** One buffer, reused for every file a thread reads: no allocation per file. One byte over the limit. */
const buffer = Buffer.allocUnsafe(MAX_FILE_BYTES + 1);

/**
 * Reads and scans files under `root` (paths relative to it). Files that vanished, directories
 * (submodules), FIFOs and sockets are passed over; O_NONBLOCK keeps a FIFO from hanging the open.
 */
export function scanFilesFromDisk(
  root: string,
  paths: readonly string[],
  scanner: ContentScanner,
): ScanTotals {
  const totals = emptyTotals();
  for (const path of paths) {
    addFileNameFinding(totals, path, scanner);
    const bytes = readSmallFile(join(root, path), totals);
    if (!bytes) continue;
    addBytes(totals, path, bytes, scanner);
  }
  return totals;
}

/** Scans content that is already in memory (the index for --staged, added lines for --history). */
export function scanBuffers(
  files: Iterable<{ path: string; bytes: Uint8Array }>,
  scanner: ContentScanner,
): ScanTotals {
  const totals = emptyTotals();
  for (const { path, bytes } of files) {
    addFileNameFinding(totals, path, scanner);
    if (bytes.length > MAX_FILE_BYTES) totals.tooLarge++;
    else addBytes(totals, path, bytes, scanner);
  }
  return totals;
}

/** Whatever the file holds (binary, too large): some are secrets by their name. */
function addFileNameFinding(totals: ScanTotals, path: string, scanner: ContentScanner): void {
  const finding = scanner.fileNameFinding(path);
  if (finding) totals.findings.push(finding);
}

function addBytes(totals: ScanTotals, path: string, bytes: Uint8Array, scanner: ContentScanner): void {
  if (bytes.subarray(0, BINARY_PROBE).includes(0)) {
    totals.binary++;
    return;
  }
  totals.filesScanned++;
  totals.bytesScanned += bytes.length;
  const result = scanner.scan(path, bytes);
  if (result.findings.length > 0) totals.findings.push(...result.findings);
  totals.allowedInline += result.allowedInline;
}

/**
 * Reads a file of at most MAX_FILE_BYTES with open, read, close: asking for one byte more than the
 * limit tells a large file without an fstat. Reading a directory fails (EISDIR) and a FIFO opened
 * non-blocking has nothing (EAGAIN): both are skipped.
 */
function readSmallFile(absolute: string, totals: ScanTotals): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_FILE_BYTES) {
        totals.tooLarge++;
        return undefined;
      }
    }
    return buffer.subarray(0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
