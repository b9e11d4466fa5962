import { mkdir, rm } from "node:fs/promises";
import { posix } from "node:path";
import * as tar from "tar";
import { parseAppConfig } from "../config/load.js";
import { PROCFILE } from "../config/procfile.js";
import type { AppConfig } from "../config/schema.js";
import { ConfigError, EXIT, SkiffError } from "../errors.js";

/** An uploaded tarball we refuse to unpack; the message names the offending entry. */
export class ArtifactError extends SkiffError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

const CONTENT_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);
const METADATA_TYPES = new Set([
  "ExtendedHeader",
  "GlobalExtendedHeader",
  "OldExtendedHeader",
  "NextFileHasLongPath",
  "NextFileHasLongLinkpath",
  "OldGnuLongPath",
]);

export interface ArtifactSummary {
  files: number;
  bytes: number;
  /** The text of skiff.yml at the root of the tree, when there is one. */
  config: string | undefined;
  /** The text of the Procfile at the root of the tree, when there is one. */
  procfile: string | undefined;
}

const CONFIG_ENTRY = "skiff.yml";
/** Files at the root of the tree read while inspecting it, and where their text goes. */
const READ_ENTRIES = { [CONFIG_ENTRY]: "config", [PROCFILE]: "procfile" } as const;

/** How much larger than its upload limit a tarball may unpack: a bound on decompression bombs. */
export const UNPACKED_PER_UPLOADED_BYTE = 20;
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads the whole tarball once before anything touches the disk: every path must stay inside the release
 * directory (no absolute paths, no `..`, no links pointing out), only plain files, directories and links,
 * and the unpacked size within `maxBytes`.
 */
export async function inspectArtifact(file: string, maxBytes: number): Promise<ArtifactSummary> {
  const summary: ArtifactSummary = { files: 0, bytes: 0, config: undefined, procfile: undefined };
  let problem: string | undefined;
  try {
    await tar.t({
      file,
      strict: true,
      onReadEntry: (entry) => {
        problem ??= entryProblem(entry.type, entry.path, entry.linkpath);
        summary.files++;
        summary.bytes += entry.size;
        if (summary.bytes > maxBytes) problem ??= `unpacks to more than ${maxBytes} bytes`;
        const read = READ_ENTRIES[posix.normalize(entry.path) as keyof typeof READ_ENTRIES];
        if (entry.type === "File" && read && entry.size <= MAX_CONFIG_BYTES) {
          const chunks: Buffer[] = [];
          entry.on("data", (chunk: Buffer) => chunks.push(chunk));
          entry.on("end", () => {
            summary[read] = Buffer.concat(chunks).toString("utf8");
          });
        } else {
          entry.resume();
        }
      },
    });
  } catch (error) {
    throw new ArtifactError(`the upload is not a valid .tar.gz: ${(error as Error).message}`);
  }
  if (problem) throw new ArtifactError(`the upload was refused: ${problem}`);
  if (summary.files === 0) throw new ArtifactError("the upload is an empty archive");
  return summary;
}

export function entryProblem(type: string, path: string, linkpath: string | undefined): string | undefined {
  if (METADATA_TYPES.has(type)) return undefined;
  if (!CONTENT_TYPES.has(type)) return `${path}: entries of type ${type} are not allowed`;
  if (escapes(path)) return `${path}: the path leaves the release directory`;
  if (type === "SymbolicLink") {
    if (!linkpath || posix.isAbsolute(linkpath) || escapes(posix.join(posix.dirname(path), linkpath))) {
      return `${path}: the symbolic link points outside the release directory (${linkpath})`;
    }
  }
  if (type === "Link" && (!linkpath || escapes(linkpath))) {
    return `${path}: the hard link points outside the release directory (${linkpath})`;
  }
  return undefined;
}

function escapes(path: string): boolean {
  if (path.includes("\0") || posix.isAbsolute(path) || /^[a-zA-Z]:/.test(path) || path.includes("\\"))
    return true;
  const normalized = posix.normalize(path);
  return normalized === ".." || normalized.startsWith("../");
}

/** Unpacks an inspected tarball into `dir` (created). */
export async function unpackArtifact(file: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await tar.x({ file, cwd: dir, strict: true, preservePaths: false, preserveOwner: false });
}

/**
 * An uploaded app tree, checked: safe to unpack, with a valid skiff.yml at its root naming `app`.
 * The file is deleted when it is refused.
 */
export async function inspectAppArtifact(
  file: string,
  app: string,
  maxBytes: number,
): Promise<{ summary: ArtifactSummary; config: AppConfig }> {
  try {
    const summary = await inspectArtifact(file, maxBytes);
    if (summary.config === undefined) {
      throw new ConfigError(CONFIG_ENTRY, ["not found at the root of the uploaded tree; is it committed?"]);
    }
    const config = parseAppConfig(summary.config, `${CONFIG_ENTRY} (uploaded)`, summary.procfile);
    if (config.app !== app) {
      throw new ConfigError(`${CONFIG_ENTRY} (uploaded)`, [
        `app: is ${config.app}, but the deploy was sent for ${app}`,
      ]);
    }
    return { summary, config };
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}
