import type { Dispatcher } from "undici";
import type { HttpExpectation } from "./config.js";
import { describeError, failed, type ProbeResult, passed, timeoutText } from "./probe-result.js";

/** Enough of a page to find a marker in; a health page larger than this is not read further. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * Errors of a kept-alive socket that the server closed just as it was reused. The GET is sent
 * again, or the race would count as a false failure. Each stale socket fails once and leaves the
 * pool, so a few tries reach a fresh connection; a server that resets every one still fails.
 */
const STALE_SOCKET = new Set(["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"]);
const STALE_RETRIES = 3;

/**
 * GET the URL and judge status, body and latency. Connections are kept alive between checks:
 * with a thousand monitors, a fresh connection per check doubled the CPU (bench:monitor).
 */
export async function probeHttp(
  dispatcher: Dispatcher,
  url: string,
  expect: HttpExpectation,
  timeoutMs: number,
  host?: string,
): Promise<ProbeResult> {
  const startedAt = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const { origin, pathname, search } = new URL(url);
    const options: Dispatcher.RequestOptions = {
      origin,
      path: pathname + search,
      method: "GET",
      headers: { "user-agent": "skiff-monitor", accept: "*/*", ...(host ? { host } : {}) },
      signal: abort.signal,
    };
    const response = await requestWithRetries(dispatcher, options, abort.signal, STALE_RETRIES);
    const body =
      expect.bodyContains === undefined ? await drain(response.body) : await readText(response.body);
    return judge(startedAt, response.statusCode, body, expect);
  } catch (error) {
    return failed(startedAt, abort.signal.aborted ? timeoutText(timeoutMs) : describeError(error));
  } finally {
    clearTimeout(timer);
  }
}

async function requestWithRetries(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
  signal: AbortSignal,
  retries: number,
): Promise<Dispatcher.ResponseData> {
  try {
    return await dispatcher.request(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (retries === 0 || signal.aborted || !STALE_SOCKET.has(code)) throw error;
    return requestWithRetries(dispatcher, options, signal, retries - 1);
  }
}

function judge(startedAt: number, status: number, body: string, expect: HttpExpectation): ProbeResult {
  const statusOk = expect.status === undefined ? status >= 200 && status < 400 : status === expect.status;
  if (!statusOk) {
    return failed(startedAt, `status ${status} (expected ${expect.status ?? "2xx or 3xx"})`);
  }
  if (expect.bodyContains !== undefined && !body.includes(expect.bodyContains)) {
    return failed(startedAt, `body does not contain ${JSON.stringify(expect.bodyContains)}`);
  }
  const result = passed(startedAt);
  if (expect.maxLatencyMs !== undefined && result.latencyMs > expect.maxLatencyMs) {
    return {
      ...result,
      ok: false,
      error: `took ${Math.round(result.latencyMs)}ms (limit ${expect.maxLatencyMs}ms)`,
    };
  }
  return result;
}

async function drain(body: Dispatcher.ResponseData["body"]): Promise<string> {
  await body.dump({ limit: MAX_BODY_BYTES });
  return "";
}

async function readText(body: Dispatcher.ResponseData["body"]): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= MAX_BODY_BYTES) break;
  }
  return Buffer.concat(chunks).toString("utf8");
}
