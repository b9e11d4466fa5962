import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** A system account an app's processes run as. */
export interface AppUser {
  name: string;
  uid: number;
  gid: number;
}

/** Linux user names: at most 32 characters (useradd's limit), lowercase, not starting with a digit or dash. */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

export function validUserName(name: string): boolean {
  return USER_NAME.test(name);
}

/**
 * Pure. The default user of an app: `skiff-<app>`. App names go up to 40 characters and user names to
 * 32, so a long name keeps its first 19 characters and gains a short hash of the whole, which keeps two
 * long names that share a beginning apart.
 */
export function defaultUserName(app: string): string {
  const name = `skiff-${app}`;
  if (name.length <= 32) return name;
  const hash = createHash("sha256").update(app).digest("hex").slice(0, 6);
  return `skiff-${app.slice(0, 19)}-${hash}`;
}

/**
 * Pure. The accounts in a passwd(5) file, by name. Malformed lines are skipped (the file is the
 * system's, not ours to judge).
 */
export function parsePasswd(text: string): Map<string, AppUser> {
  const users = new Map<string, AppUser>();
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length < 7) continue;
    const [name = "", , uid = "", gid = ""] = fields;
    if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid) || name === "") continue;
    users.set(name, { name, uid: Number(uid), gid: Number(gid) });
  }
  return users;
}

/**
 * The account called `name`, read from /etc/passwd (where useradd --system writes). Read on each call:
 * cheap, synchronous, and never stale after a user is added or removed by hand.
 */
export function findUser(name: string, file = "/etc/passwd"): AppUser | undefined {
  try {
    return parsePasswd(readFileSync(file, "utf8")).get(name);
  } catch {
    return undefined;
  }
}
