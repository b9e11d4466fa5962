import { createHmac } from "node:crypto";
import type { AlertChannel } from "./channel.js";
import { post } from "./http-post.js";
import { type AlertMessage, messageLines } from "./message.js";

export const SIGNATURE_HEADER = "x-skiff-signature";

/**
 * A generic webhook: the message as JSON. With a secret, `X-Skiff-Signature: sha256=<hex>` is the
 * HMAC-SHA256 of the exact body bytes, so the receiver can check who sent it.
 */
export function webhookChannel(id: string, url: string, secret: string | undefined): AlertChannel {
  return {
    id,
    kind: "webhook",
    secrets: secret ? [secret] : [],
    send: (message, signal) => {
      const body = JSON.stringify(webhookBody(message));
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "user-agent": "skiff-alerts",
        "x-skiff-event": message.kind,
      };
      if (secret) headers[SIGNATURE_HEADER] = sign(body, secret);
      return post(url, body, headers, signal);
    },
  };
}

export function webhookBody(m: AlertMessage) {
  return { version: 1, ...m, text: [m.title, ...messageLines(m)].join("\n") };
}

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
