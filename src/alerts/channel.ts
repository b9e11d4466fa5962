import type { AlertChannelKind } from "./config.js";
import type { AlertMessage } from "./message.js";

/** One configured alert destination, with its secrets already resolved from the environment. */
export interface AlertChannel {
  /** "slack", "webhook-2": names the channel in results without showing its URL. */
  readonly id: string;
  readonly kind: AlertChannelKind;
  /** Values to scrub from anything reported about this channel (webhook URLs, keys, SMTP URLs). */
  readonly secrets: readonly string[];
  /** Deliver once; throw DeliveryError to say whether a retry can help. */
  send(message: AlertMessage, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/** A failed delivery. `retryable`: a timeout, a refused connection, 429 or 5xx; not a 404. */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  /** The receiver asked to wait this long before trying again (Retry-After). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryable: boolean, retryAfterMs?: number) {
    super(message);
    this.name = "DeliveryError";
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}
