import { Pool } from "undici";

export interface LoadOptions {
  /** Base URL; must be on 127.0.0.1 or ::1. */
  url: string;
  path?: string;
  host?: string;
  concurrency: number;
  /** Hard bounds: the load stops at whichever comes first. */
  maxRequests: number;
  maxDurationMs: number;
}

export interface LoadReport {
  sent: number;
  ok: number;
  failed: number;
  byStatus: Record<string, number>;
  /** Which release answered, from the `x-app-version` header or a JSON body's `version`. */
  byVersion: Record<string, number>;
  errors: Record<string, number>;
  durationMs: number;
  latencyMs: { p50: number; p99: number; max: number };
}

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

/**
 * A bounded keep-alive load against a local URL: `concurrency` requests in flight at all times, until
 * stopped or a bound is hit. Every answer is counted, so a single dropped request shows.
 */
export class Load {
  private readonly pool: Pool;
  private stopped = false;
  private readonly started = performance.now();
  private readonly latencies: number[] = [];
  private readonly report: LoadReport = {
    sent: 0,
    ok: 0,
    failed: 0,
    byStatus: {},
    byVersion: {},
    errors: {},
    durationMs: 0,
    latencyMs: { p50: 0, p99: 0, max: 0 },
  };
  private readonly workers: Promise<void>[];

  constructor(private readonly options: LoadOptions) {
    const url = new URL(options.url);
    if (!LOOPBACK.has(url.hostname))
      throw new Error(`load only targets 127.0.0.1 or ::1, not ${url.hostname}`);
    this.pool = new Pool(url.origin, { connections: options.concurrency, pipelining: 1 });
    this.workers = Array.from({ length: options.concurrency }, () => this.worker());
  }

  /** Counts so far, without stopping. */
  snapshot(): LoadReport {
    return this.finish();
  }

  async stop(): Promise<LoadReport> {
    this.stopped = true;
    await Promise.all(this.workers);
    await this.pool.close();
    return this.finish();
  }

  private async worker(): Promise<void> {
    const { options, report } = this;
    const deadline = this.started + options.maxDurationMs;
    while (!this.stopped && report.sent < options.maxRequests && performance.now() < deadline) {
      report.sent++;
      const began = performance.now();
      try {
        const res = await this.pool.request({
          path: options.path ?? "/",
          method: "GET",
          headers: options.host ? { host: options.host } : {},
        });
        const body = await res.body.text();
        this.latencies.push(performance.now() - began);
        count(report.byStatus, String(res.statusCode));
        count(report.byVersion, versionOf(res.headers["x-app-version"], body));
        if (res.statusCode >= 200 && res.statusCode < 300) report.ok++;
        else report.failed++;
      } catch (error) {
        report.failed++;
        count(report.errors, (error as { code?: string }).code ?? (error as Error).message);
      }
    }
  }

  private finish(): LoadReport {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    return {
      ...this.report,
      byStatus: { ...this.report.byStatus },
      byVersion: { ...this.report.byVersion },
      errors: { ...this.report.errors },
      durationMs: Math.round(performance.now() - this.started),
      latencyMs: { p50: at(0.5), p99: at(0.99), max: round(sorted.at(-1) ?? 0) },
    };
  }
}

function versionOf(header: string | string[] | undefined, body: string): string {
  if (typeof header === "string") return header;
  try {
    return String((JSON.parse(body) as { version?: unknown }).version ?? "unknown");
  } catch {
    return "unknown";
  }
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
