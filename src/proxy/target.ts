import { UpstreamPool } from "./upstream-pool.js";

/**
 * One upstream: an app instance on 127.0.0.1:<port>, reached through a keep-alive connection pool.
 * `available` is asked on every pick, so the runtime's view (process up, health passing) is always current.
 */
export class Target {
  readonly pool: UpstreamPool;
  inflight = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly available: () => boolean,
    /** Whether the process is up at all: the fallback when no instance passes its health check. */
    private readonly alive: () => boolean = available,
  ) {
    this.pool = new UpstreamPool(host, port);
  }

  isAvailable(): boolean {
    return this.available();
  }

  isAlive(): boolean {
    return this.alive();
  }

  /** Closes idle connections now and the busy ones as their requests finish. */
  close(): Promise<void> {
    return this.pool.close();
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}
