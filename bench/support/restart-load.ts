import { request as httpRequest } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";

/**
 * The load an agent restart must not disturb: keep-alive clients, clients that open a new connection
 * for every request, and a few slow (1.5 s) requests always in flight. Counts failures by cause and the
 * longest time without any successful answer. Bounded: stops by itself after `maxSeconds`; 127.0.0.1 only.
 * Used by the reload tests and by `npm run bench:restart` (also against nginx).
 */
export interface RestartLoadSpec {
  url: string;
  keepAlive?: number;
  fresh?: number;
  slow?: number;
  slowMs?: number;
  /** Each worker waits this long between requests. */
  pauseMs?: number;
  maxSeconds?: number;
}

export interface RestartLoadResult {
  requests: number;
  failed: number;
  /** By kind of worker and cause: "fresh ECONNREFUSED: 12, keep-alive HTTP 503: 3" */
  failures: string;
  longestGapMs: number;
  slowAnswered: number;
}

export class RestartLoad {
  private running = true;
  private readonly agent = new Agent({ connections: 8 });
  private readonly workers: Array<Promise<void>> = [];
  private requests = 0;
  private slowAnswered = 0;
  private readonly failures = new Map<string, number>();
  private lastSuccess = 0;
  private longestGap = 0;
  private readonly stopTimer: NodeJS.Timeout;
  /** Resolves once every kind of worker has had a success: the load is really running. */
  readonly warmedUp: Promise<void>;

  constructor(private readonly spec: RestartLoadSpec) {
    if (!new URL(spec.url).hostname.startsWith("127.")) throw new Error("load only targets 127.0.0.1");
    const kinds: Array<[string, number, () => Promise<void>]> = [
      ["keep-alive", spec.keepAlive ?? 4, () => this.keepAliveRequest("/")],
      ["fresh", spec.fresh ?? 2, () => this.freshRequest()],
      ["slow", spec.slow ?? 2, () => this.keepAliveRequest(`/slow?ms=${spec.slowMs ?? 1500}`, true)],
    ];
    const firsts: Array<Promise<void>> = [];
    for (const [kind, count, one] of kinds) {
      for (let i = 0; i < count; i++) {
        let first!: () => void;
        firsts.push(new Promise((resolve) => (first = resolve)));
        this.workers.push(this.loop(kind, one, first));
      }
    }
    this.warmedUp = Promise.all(firsts).then(() => undefined);
    this.stopTimer = setTimeout(
      () => {
        this.running = false;
      },
      (spec.maxSeconds ?? 120) * 1000,
    );
  }

  /** Stops the workers (in-flight requests finish) and reports. */
  async stop(): Promise<RestartLoadResult> {
    this.running = false;
    clearTimeout(this.stopTimer);
    await Promise.all(this.workers);
    await this.agent.close();
    const failed = [...this.failures.values()].reduce((a, b) => a + b, 0);
    return {
      requests: this.requests,
      failed,
      failures: [...this.failures].map(([why, n]) => `${why}: ${n}`).join(", ") || "none",
      longestGapMs: this.longestGap,
      slowAnswered: this.slowAnswered,
    };
  }

  private async loop(kind: string, one: () => Promise<void>, first: () => void): Promise<void> {
    while (this.running) {
      this.requests++;
      try {
        await one();
        first();
        this.success();
      } catch (error) {
        const why = `${kind} ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
        this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
      }
      await sleep(this.spec.pauseMs ?? 5);
    }
    first();
  }

  private success(): void {
    const now = performance.now();
    if (this.lastSuccess > 0) this.longestGap = Math.max(this.longestGap, now - this.lastSuccess);
    this.lastSuccess = now;
  }

  private async keepAliveRequest(path: string, slow = false): Promise<void> {
    const res = await request(new URL(path, this.spec.url), { dispatcher: this.agent });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    if (slow) this.slowAnswered++;
  }

  /** A new connection for each request, as a browser opening the site does. */
  private freshRequest(): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(new URL("/", this.spec.url), { agent: false }, (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
  }
}
