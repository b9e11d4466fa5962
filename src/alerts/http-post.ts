import { request } from "undici";
import { DeliveryError } from "./channel.js";

/**
 * POST a body and settle on the status. Errors name the status or the socket error, never the
 * URL: for Slack and Discord the URL is the secret.
 */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  let statusCode: number;
  let responseHeaders: Record<string, string | string[] | undefined>;
  try {
    const response = await request(url, { method: "POST", body, headers, signal });
    statusCode = response.statusCode;
    responseHeaders = response.headers;
    await response.body.dump();
  } catch (error) {
    if (signal.aborted) throw new DeliveryError("timed out", true);
    const code = (error as NodeJS.ErrnoException).code;
    throw new DeliveryError(
      code ? `connection failed (${code})` : `request failed: ${(error as Error).message}`,
      true,
    );
  }
  if (statusCode >= 200 && statusCode < 300) return;
  const retryable = statusCode === 429 || statusCode >= 500;
  throw new DeliveryError(`HTTP ${statusCode}`, retryable, retryAfterMs(responseHeaders["retry-after"]));
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
