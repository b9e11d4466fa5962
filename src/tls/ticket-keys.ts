import { randomBytes } from "node:crypto";

/**
 * The session-ticket key of the HTTPS port. A client that kept a ticket resumes its TLS session (no
 * certificate sent, no signature) instead of a full handshake. Node gives every server a random key of
 * its own, so a restart of the agent used to send every returning client back to a full handshake; the
 * key is kept in DATA_DIR/certs/ticket-key.json (0600) instead, so the next agent process (a restart,
 * or the process taking over the sockets) decrypts the tickets the previous one issued.
 *
 * Rotated every hour: whoever obtains a ticket key (from the process or the data dir) can decrypt the
 * tickets it sealed, and a TLS 1.2 ticket holds the master secret of its session, so a recorded TLS 1.2
 * connection could be decrypted. Rotating bounds that to the last hour. Node holds one key at a time, so
 * at a rotation the tickets sealed under the previous key stop working: each returning client makes one
 * full handshake per hour, which costs nothing measurable. Tickets live TICKET_LIFETIME_S.
 */
export const TICKET_KEY_ROTATE_MS = 60 * 60_000;

/** How long a ticket (and a cached session) may be resumed: Node's and nginx's default, 5 minutes. */
export const TICKET_LIFETIME_S = 300;

/** Node's `setTicketKeys` format: 16 bytes key name, 16 bytes HMAC secret, 16 bytes AES key. */
const KEY_BYTES = 48;

export interface TicketKey {
  /** When it was made (ms since the epoch): the rotation counts from here, across restarts. */
  createdAt: number;
  key: Buffer;
}

/** The saved key, or undefined when the text is not one (damaged, another format): a new one is made. */
export function parseTicketKey(text: string | undefined): TicketKey | undefined {
  if (text === undefined) return undefined;
  try {
    const saved = JSON.parse(text) as { createdAt?: unknown; key?: unknown };
    if (typeof saved.createdAt !== "number" || typeof saved.key !== "string") return undefined;
    const key = Buffer.from(saved.key, "base64");
    return key.length === KEY_BYTES ? { createdAt: saved.createdAt, key } : undefined;
  } catch {
    return undefined;
  }
}

export function formatTicketKey(key: TicketKey): string {
  return `${JSON.stringify({ createdAt: key.createdAt, key: key.key.toString("base64") })}\n`;
}

/**
 * The saved key while it is younger than `rotateMs` (another agent process may have made it: both then
 * seal with the same key), else a new one. A key dated in the future (a clock set back) is replaced.
 */
export function currentTicketKey(saved: TicketKey | undefined, now: number, rotateMs: number): TicketKey {
  if (saved && saved.createdAt <= now && now - saved.createdAt < rotateMs) return saved;
  return { createdAt: now, key: randomBytes(KEY_BYTES) };
}

/** When the key in use must be replaced. */
export function nextRotation(key: TicketKey, rotateMs: number): number {
  return key.createdAt + rotateMs;
}
