import { chmod, lchown, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { AppUser } from "./users.js";

/**
 * Gives `dir` and everything under it to `user` (symbolic links themselves, never what they point at:
 * a storage link must not hand the storage's target, or anything outside, to the app), then makes `dir`
 * 0700 so no other app's user can enter it. Entries already owned are only looked at, so a second call
 * over a release with node_modules is a walk of lstat calls.
 */
export async function giveTo(dir: string, user: AppUser): Promise<void> {
  await ownTree(dir, user);
  await chmod(dir, 0o700);
}

async function ownTree(path: string, user: AppUser): Promise<void> {
  const stat = await lstat(path);
  if (stat.uid !== user.uid || stat.gid !== user.gid) await lchown(path, user.uid, user.gid);
  if (!stat.isDirectory()) return;
  for (const name of await readdir(path)) await ownTree(join(path, name), user);
}
