import { createHash, randomBytes } from "node:crypto";

export interface Session {
  /** The token every state-changing request must carry (a form field or the x-csrf-token header). */
  csrf: string;
  /** How the person logged in: a one-time link or the API token. */
  via: "link" | "token";
  createdAt: number;
  lastSeenAt: number;
}

/**
 * Dashboard sessions, in the agent's memory: an agent restart logs everyone out, which is what a
 * restart after a suspected compromise should do. Kept by the hash of the cookie's value, so nothing in
 * memory is a usable cookie.
 */
export class Sessions {
  private readonly byHash = new Map<string, Session>();

  constructor(
    private readonly limits: { idleMs: number; maxAgeMs: number },
    private readonly now: () => number,
  ) {}

  /** A new session; `id` goes into the cookie and nowhere else. */
  create(via: Session["via"]): { id: string; session: Session } {
    const now = this.now();
    for (const [hash, session] of this.byHash) if (this.expired(session, now)) this.byHash.delete(hash);
    const id = randomBytes(32).toString("base64url");
    const session: Session = {
      csrf: randomBytes(24).toString("base64url"),
      via,
      createdAt: now,
      lastSeenAt: now,
    };
    this.byHash.set(hash(id), session);
    return { id, session };
  }

  /** The live session for a cookie value, its idle clock restarted; undefined (and forgotten) once expired. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const key = hash(id);
    const session = this.byHash.get(key);
    if (!session) return undefined;
    const now = this.now();
    if (this.expired(session, now)) {
      this.byHash.delete(key);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  end(id: string | undefined): void {
    if (id) this.byHash.delete(hash(id));
  }

  get size(): number {
    return this.byHash.size;
  }

  private expired(session: Session, now: number): boolean {
    return now - session.lastSeenAt >= this.limits.idleMs || now - session.createdAt >= this.limits.maxAgeMs;
  }
}

function hash(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}
