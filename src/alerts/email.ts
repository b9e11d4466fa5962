import { hostname } from "node:os";
import { createTransport } from "nodemailer";
import { type AlertChannel, DeliveryError } from "./channel.js";
import { type AlertMessage, messageLines } from "./message.js";

const TIMEOUT_MS = 10_000;

/** Email through the SMTP server in `smtpUrl` (smtp:// or smtps://, credentials included). */
export function emailChannel(id: string, smtpUrl: string, to: string[], from?: string): AlertChannel {
  const transport = createTransport({
    url: smtpUrl,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  const sender = from ?? `skiff@${hostname()}`;
  return {
    id,
    kind: "email",
    secrets: [smtpUrl, ...credentialsOf(smtpUrl)],
    async send(message, signal) {
      const sending = transport.sendMail({ from: sender, to, ...emailContent(message) });
      try {
        await abortable(sending, signal);
      } catch (error) {
        throw asDeliveryError(error, signal);
      }
    },
    close: async () => transport.close(),
  };
}

export function emailContent(m: AlertMessage): { subject: string; text: string } {
  return { subject: `[skiff] ${m.title}`, text: `${[m.title, "", ...messageLines(m)].join("\n")}\n` };
}

function credentialsOf(smtpUrl: string): string[] {
  try {
    const url = new URL(smtpUrl);
    return [url.password, decodeURIComponent(url.password)].filter(Boolean);
  } catch {
    return [];
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new DeliveryError("timed out", true));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** SMTP 5xx replies are permanent (bad address, refused login); everything else may pass later. */
function asDeliveryError(error: unknown, signal: AbortSignal): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (signal.aborted) return new DeliveryError("timed out", true);
  const e = error as { responseCode?: number; code?: string; message?: string };
  const permanent = e.responseCode !== undefined && e.responseCode >= 500;
  const what = e.responseCode ? `SMTP ${e.responseCode}` : (e.code ?? "SMTP error");
  return new DeliveryError(`${what}: ${e.message ?? "failed"}`, !permanent);
}
