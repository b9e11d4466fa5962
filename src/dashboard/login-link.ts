import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * One-time login links (`skiff dashboard`): `<nonce>.<expiresAt>.<signature>`, signed with a key the
 * agent makes at start and never writes down, so a link dies with the agent that issued it. The
 * signature makes a link unforgeable; the agent's list of redeemed nonces makes it single-use.
 */

export type LinkCheck =
  | { ok: true; nonce: string; expiresAt: number }
  | { ok: false; reason: "malformed" | "forged" | "expired" | "used" };

const LINK = /^([A-Za-z0-9_-]{22})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export function signLink(key: Buffer, nonce: string, expiresAt: number): string {
  return `${nonce}.${expiresAt}.${mac(key, `${nonce}.${expiresAt}`)}`;
}

/** Pure: whether `link` is well-formed, signed with `key` and unexpired at `now`. */
export function verifyLink(key: Buffer, link: string, now: number): LinkCheck {
  const match = LINK.exec(link);
  if (!match) return { ok: false, reason: "malformed" };
  const [, nonce, expires, signature] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(mac(key, `${nonce}.${expires}`));
  if (!timingSafeEqual(expected, Buffer.from(signature))) return { ok: false, reason: "forged" };
  const expiresAt = Number(expires);
  if (now >= expiresAt) return { ok: false, reason: "expired" };
  return { ok: true, nonce, expiresAt };
}

function mac(key: Buffer, text: string): string {
  return createHmac("sha256", key).update(text).digest("base64url");
}

/** Issues links and redeems each at most once. Redeemed nonces are kept only until they expire. */
export class LoginLinks {
  private readonly key = randomBytes(32);
  private readonly redeemed = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  issue(): { link: string; expiresAt: number } {
    const expiresAt = this.now() + this.ttlMs;
    return { link: signLink(this.key, randomBytes(16).toString("base64url"), expiresAt), expiresAt };
  }

  redeem(link: string): LinkCheck {
    const now = this.now();
    for (const [nonce, expiresAt] of this.redeemed) if (expiresAt <= now) this.redeemed.delete(nonce);
    const check = verifyLink(this.key, link, now);
    if (!check.ok) return check;
    if (this.redeemed.has(check.nonce)) return { ok: false, reason: "used" };
    this.redeemed.set(check.nonce, check.expiresAt);
    return check;
  }
}
