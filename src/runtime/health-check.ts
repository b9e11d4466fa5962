import { request } from "node:http";

export interface ProbeResult {
  ok: boolean;
  /** HTTP status when the app answered. */
  status?: number;
  /** Why the probe failed: "connection refused", "timed out after 2s", "HTTP 500". */
  error?: string;
  ms: number;
}

/** One health check: GET http://host:port/path on a fresh connection; 2xx and 3xx pass. */
export function probe(host: string, port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<ProbeResult, "ms">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ ...result, ms: performance.now() - started });
    };
    const req = request({
      host,
      port,
      path,
      method: "GET",
      agent: false,
      headers: { "user-agent": "skiff-health" },
    });
    const timer = setTimeout(() => finish({ ok: false, error: `timed out after ${timeoutMs}ms` }), timeoutMs);
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      const ok = status >= 200 && status < 400;
      finish(ok ? { ok, status } : { ok, status, error: `HTTP ${status}` });
    });
    req.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, error: describeNetError(error) }));
    req.end();
  });
}

function describeNetError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
      return "connection reset";
    default:
      return error.message;
  }
}
