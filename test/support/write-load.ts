import { Pool } from "undici";

export interface WriteLoadReport {
  sent: number;
  /** Ids the app answered 201 for: every one must still be there after each deploy and rollback. */
  ids: number[];
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  byVersion: Record<string, number>;
}

/**
 * A bounded write load on 127.0.0.1: `concurrency` POSTs in flight until stopped, `maxRequests` sent or
 * `maxDurationMs` passed, whichever comes first. Every answer is counted, so one failed write shows.
 */
export class WriteLoad {
  private readonly pool: Pool;
  private stopped = false;
  private readonly report: WriteLoadReport = { sent: 0, ids: [], byStatus: {}, errors: {}, byVersion: {} };
  private readonly workers: Promise<void>[];
  private readonly deadline: number;

  constructor(
    url: string,
    private readonly options: {
      path: string;
      concurrency: number;
      maxRequests: number;
      maxDurationMs: number;
    },
  ) {
    const origin = new URL(url);
    if (origin.hostname !== "127.0.0.1")
      throw new Error(`load only targets 127.0.0.1, not ${origin.hostname}`);
    this.pool = new Pool(origin.origin, { connections: options.concurrency, pipelining: 1 });
    this.deadline = Date.now() + options.maxDurationMs;
    this.workers = Array.from({ length: options.concurrency }, () => this.worker());
  }

  snapshot(): WriteLoadReport {
    return { ...this.report, ids: [...this.report.ids] };
  }

  async stop(): Promise<WriteLoadReport> {
    this.stopped = true;
    await Promise.all(this.workers);
    await this.pool.close();
    return this.snapshot();
  }

  private async worker(): Promise<void> {
    while (!this.stopped && this.report.sent < this.options.maxRequests && Date.now() < this.deadline) {
      const n = ++this.report.sent;
      try {
        const res = await this.pool.request({
          method: "POST",
          path: this.options.path,
          body: `note ${n} with five words`,
          headers: { "content-type": "text/plain" },
        });
        const text = await res.body.text();
        this.report.byStatus[res.statusCode] = (this.report.byStatus[res.statusCode] ?? 0) + 1;
        const version = String(res.headers["x-app-version"] ?? "none");
        this.report.byVersion[version] = (this.report.byVersion[version] ?? 0) + 1;
        if (res.statusCode === 201) this.report.ids.push((JSON.parse(text) as { id: number }).id);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        this.report.errors[code] = (this.report.errors[code] ?? 0) + 1;
      }
    }
  }
}
