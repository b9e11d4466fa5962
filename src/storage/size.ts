import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Bytes on disk under `dir` (`du -s`: allocated blocks, so a sparse or preallocated database counts as
 * what it occupies), symbolic links not followed; 0 when it does not exist.
 */
export async function diskUsage(dir: string): Promise<number> {
  const stat = await lstat(dir).catch(() => undefined);
  if (!stat) return 0;
  let bytes = stat.blocks * 512;
  if (!stat.isDirectory()) return bytes;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) bytes += await diskUsage(join(dir, name));
  return bytes;
}
