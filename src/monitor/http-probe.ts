import type { Dispatcher } from "undici";
import type { HttpExpectation } from "./config.js";
import { describeError, failed, type ProbeResult, passed, timeoutText } from "./probe-result.js";

/** Enough of a page to find a marker in; a health page larger than this is not read further. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * GET the URL and judge status, body and latency. `reset` asks for a fresh connection each time:
 * a reused keep-alive socket that the server closed would otherwise count as a false failure.
 */
export async function probeHttp(
  dispatcher: Dispatcher,
  url: string,
  expect: HttpExpectation,
  timeoutMs: number,
): Promise<ProbeResult> {
  const startedAt = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const { origin, pathname, search } = new URL(url);
    const response = await dispatcher.request({
      origin,
      path: pathname + search,
      method: "GET",
      headers: { "user-agent": "skiff-monitor", accept: "*/*" },
      reset: true,
      signal: abort.signal,
    });
    const body =
      expect.bodyContains === undefined ? await drain(response.body) : await readText(response.body);
    return judge(startedAt, response.statusCode, body, expect);
  } catch (error) {
    return failed(startedAt, abort.signal.aborted ? timeoutText(timeoutMs) : describeError(error));
  } finally {
    clearTimeout(timer);
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
