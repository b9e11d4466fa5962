import { constants } from "node:fs";
import { copyFile, link, lstat, mkdir, readdir, readlink, symlink } from "node:fs/promises";
import { join } from "node:path";

export interface LinkTreeResult {
  files: number;
  /** Files that could not be hard-linked (another filesystem, a link count at its limit) and were copied. */
  copied: number;
}

/**
 * `cp -al`: a copy of the tree at `from` made at `to` (which must not exist) of new directories and hard
 * links to the same files, so it costs no file data and little time. Where a hard link is refused the
 * file is cloned (a reflink where the filesystem has them) or copied. Symbolic links are made again as
 * they were. The directories are the copy's own: a file added or removed in one tree never shows in the
 * other; a file rewritten in place would (hard links share their data), which installers do not do:
 * they write a new file and rename it.
 */
export async function linkTree(from: string, to: string): Promise<LinkTreeResult> {
  const result: LinkTreeResult = { files: 0, copied: 0 };
  await copyEntry(from, to, result);
  return result;
}

async function copyEntry(from: string, to: string, result: LinkTreeResult): Promise<void> {
  const stat = await lstat(from);
  if (stat.isDirectory()) {
    await mkdir(to, { mode: stat.mode & 0o7777 });
    const names = await readdir(from);
    // Bounded fan-out: a node_modules has thousands of entries per level at most.
    for (let i = 0; i < names.length; i += 64) {
      await Promise.all(
        names.slice(i, i + 64).map((name) => copyEntry(join(from, name), join(to, name), result)),
      );
    }
  } else if (stat.isSymbolicLink()) {
    await symlink(await readlink(from), to);
  } else if (stat.isFile()) {
    result.files++;
    try {
      await link(from, to);
    } catch {
      result.copied++;
      await copyFile(from, to, constants.COPYFILE_FICLONE);
    }
  }
  // Sockets, FIFOs and devices have no place in a cached dependency folder: skipped.
}
