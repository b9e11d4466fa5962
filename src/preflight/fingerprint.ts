import { createHash } from "node:crypto";

/**
 * A finding's identity for baselines and SARIF: stable when lines move, different per file and rule.
 * `key` is what was found (a secret, a trimmed line, a variable name); only its hash is kept.
 */
export function fingerprint(check: string, rule: string, file: string, key: string): string {
  return createHash("sha256").update(`${check}\0${rule}\0${file}\0${key}`).digest("hex").slice(0, 32);
}
