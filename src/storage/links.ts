import { cp, lstat, mkdir, readlink, rename, rm, symlink } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

/** What happened to one `storage:` path of a release. */
export type LinkOutcome =
  /** The upload had it and storage did not: moved into storage, once. */
  | "seeded"
  /** Neither had it: an empty directory in storage. */
  | "created"
  /** Storage had it: linked; the upload's copy, if any, is left out (storage is never overwritten). */
  | "linked";

export interface StorageLink {
  path: string;
  outcome: LinkOutcome;
  /** The upload had a copy that storage already had: it was not used. */
  replacedUpload: boolean;
}

/**
 * Capistrano's linked dirs: each `storage:` path of the release directory becomes a symbolic link into
 * the app's storage (relative, so the data directory can move). A path the upload brings seeds storage the
 * first time only; after that storage wins and the upload's copy is dropped. Idempotent: a release
 * directory already linked (a rollback's, a recovery's) is left as it is.
 */
export async function linkStorage(
  releaseDir: string,
  storageDir: string,
  paths: string[],
): Promise<StorageLink[]> {
  const links: StorageLink[] = [];
  for (const path of paths) links.push(await linkOne(releaseDir, storageDir, path));
  return links;
}

async function linkOne(releaseDir: string, storageDir: string, path: string): Promise<StorageLink> {
  const source = join(releaseDir, path);
  const target = join(storageDir, path);
  const link = relative(dirname(source), target);
  const existing = await lstat(source).catch(() => undefined);
  if (existing?.isSymbolicLink() && (await readlink(source)) === link) {
    return { path, outcome: "linked", replacedUpload: false };
  }
  const stored = await lstat(target).catch(() => undefined);
  let outcome: LinkOutcome = "linked";
  let replacedUpload = false;
  if (!stored) {
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    if (existing && !existing.isSymbolicLink()) {
      await move(source, target);
      outcome = "seeded";
    } else {
      await mkdir(target, { recursive: true, mode: 0o700 });
      outcome = "created";
    }
  } else if (existing) {
    replacedUpload = !existing.isSymbolicLink();
  }
  await rm(source, { recursive: true, force: true });
  await mkdir(dirname(source), { recursive: true });
  await symlink(link, source);
  return { path, outcome, replacedUpload };
}

/** A rename, or a copy and delete when storage is on another filesystem than the releases. */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await cp(from, to, { recursive: true, preserveTimestamps: true });
    await rm(from, { recursive: true, force: true });
  }
}

/** One line for the deploy's output: `data (seeded), public/uploads (kept; the upload's copy left out)`. */
export function describeLinks(links: StorageLink[]): string {
  return links
    .map((l) =>
      l.outcome === "linked"
        ? `${l.path}${l.replacedUpload ? " (kept; the upload's copy left out)" : ""}`
        : `${l.path} (${l.outcome})`,
    )
    .join(", ");
}
