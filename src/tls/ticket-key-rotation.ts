import type { CertStore } from "./cert-store.js";
import {
  currentTicketKey,
  formatTicketKey,
  nextRotation,
  parseTicketKey,
  TICKET_KEY_ROTATE_MS,
  type TicketKey,
} from "./ticket-keys.js";

export interface TicketKeyRotationOptions {
  store: CertStore;
  /** Gets the key to seal and open tickets with: at start and at every rotation. */
  apply: (key: Buffer) => void;
  /** A key that could not be read or saved: the port goes on with the key in memory (logged by the agent). */
  onError: (error: Error) => void;
  rotateMs?: number;
  now?: () => number;
}

/**
 * Keeps the HTTPS port's ticket key current: the saved one while it is young enough, a new one (saved
 * 0600 before it is used) when it is not, checked again when it is due. At a rotation the file is read
 * again first, so two agent processes sharing the data dir (a handover) end up with the same key.
 */
export class TicketKeyRotation {
  private timer: NodeJS.Timeout | undefined;
  private readonly rotateMs: number;
  private readonly now: () => number;

  constructor(private readonly options: TicketKeyRotationOptions) {
    this.rotateMs = options.rotateMs ?? TICKET_KEY_ROTATE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Applies the current key now (before the port listens), then keeps it current. */
  start(): void {
    this.rotate();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private rotate(): void {
    const { store, onError } = this.options;
    let saved: TicketKey | undefined;
    try {
      saved = parseTicketKey(store.ticketKey());
    } catch (error) {
      onError(error as Error);
    }
    const key = currentTicketKey(saved, this.now(), this.rotateMs);
    if (key !== saved) {
      try {
        store.saveTicketKey(formatTicketKey(key));
      } catch (error) {
        // Resumption then only lasts until the next restart, as without a saved key.
        onError(error as Error);
      }
    }
    this.options.apply(key.key);
    this.timer = setTimeout(
      () => this.rotate(),
      Math.max(1000, nextRotation(key, this.rotateMs) - this.now()),
    );
    this.timer.unref();
  }
}
