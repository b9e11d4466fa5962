import { setTimeout as sleep } from "node:timers/promises";
import type { Target } from "./target.js";

/** Counts the proxy keeps per release: what `status` shows and what an error-spike watch reads. */
export interface TrafficCounts {
  requests: number;
  errors5xx: number;
  failed: number;
}

/**
 * The instances of one release, round-robin. The proxy holds one load balancer per release; switching
 * traffic is pointing a route at another load balancer, and retiring one is `drain()`.
 */
export class LoadBalancer {
  private next = 0;
  inflight = 0;
  /** Upgraded connections (WebSockets) to this release's instances, closed when a drain times out. */
  readonly tunnels = new Set<{ destroy(): void }>();
  readonly counts: TrafficCounts = { requests: 0, errors5xx: 0, failed: 0 };
  /** Told the status and duration of every answered request: the metrics, the post-deploy watch. */
  observe: ((status: number, ms: number) => void) | undefined;

  constructor(
    readonly release: string,
    readonly targets: Target[],
  ) {}

  /** Applies the proxy's cap on connections to every instance's pool. */
  configure(maxConnections: number): void {
    for (const target of this.targets) target.pool.configure(maxConnections);
  }

  /** The next healthy instance; an instance whose process is up when none is healthy; else undefined. */
  pick(): Target | undefined {
    const { targets } = this;
    const n = targets.length;
    for (let i = 0; i < n; i++) {
      const target = targets[(this.next + i) % n]!;
      if (target.isAvailable()) {
        this.next = (this.next + i + 1) % n;
        return target;
      }
    }
    for (let i = 0; i < n; i++) {
      const target = targets[(this.next + i) % n]!;
      if (target.isAlive()) return target;
    }
    return undefined;
  }

  /**
   * Waits for in-flight requests to finish (up to `timeoutMs`), then closes the upstream connections.
   * Resolves to the number of requests still in flight when it gave up.
   */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.inflight > 0 && Date.now() < deadline) await sleep(5);
    const left = this.inflight;
    for (const tunnel of this.tunnels) tunnel.destroy();
    await Promise.all(this.targets.map((t) => (left > 0 ? t.destroy() : t.close())));
    return left;
  }
}
