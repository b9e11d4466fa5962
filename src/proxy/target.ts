import { Pool } from "undici";

/**
 * One upstream: an app instance on 127.0.0.1:<port>, reached through a keep-alive connection pool.
 * `available` is asked on every pick, so the runtime's view (process up, health passing) is always current.
 */
export class Target {
  readonly pool: Pool;
  inflight = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly available: () => boolean,
    /** Whether the process is up at all: the fallback when no instance passes its health check. */
    private readonly alive: () => boolean = available,
  ) {
    this.pool = new Pool(`http://${host}:${port}`, {
      connections: 128,
      pipelining: 1,
      // Node servers announce `Keep-Alive: timeout=5`; stay well inside it so we rarely reuse a socket the
      // app is about to close, and keep sockets that announce nothing for a while.
      keepAliveTimeout: 4_000,
      keepAliveTimeoutThreshold: 1_000,
      keepAliveMaxTimeout: 600_000,
      // Long polls and server-sent events are the app's business, not a proxy timeout.
      bodyTimeout: 0,
      headersTimeout: 300_000,
    });
  }

  isAvailable(): boolean {
    return this.available();
  }

  isAlive(): boolean {
    return this.alive();
  }

  /** Closes idle connections now and the busy ones as their requests finish. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}
