import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const GITHUB_PREFIX = "sha256=";

/** The `X-Hub-Signature-256` value GitHub sends for `body` signed with `secret`. */
export function githubSignature(body: Buffer | string, secret: string): string {
  return GITHUB_PREFIX + createHmac("sha256", secret).update(body).digest("hex");
}

/**
 * GitHub: `X-Hub-Signature-256` must be the HMAC-SHA256 of the raw body, compared in constant time.
 * The body must be the bytes as received: re-serialized JSON would not match.
 */
export function verifyGithubSignature(
  body: Buffer | string,
  header: string | undefined,
  secret: string,
): boolean {
  if (!header || !secret) return false;
  const expected = Buffer.from(githubSignature(body, secret));
  const given = Buffer.from(header.trim());
  // The expected length is public (sha256= and 64 hex digits), so checking it first leaks nothing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * GitLab: `X-Gitlab-Token` is the secret itself. Both sides are hashed first so that the comparison
 * takes the same time whatever the length of the token that was sent.
 */
export function verifyGitlabToken(header: string | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(header), digest(secret));
}
