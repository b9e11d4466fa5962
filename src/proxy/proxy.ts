import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ClientConnection, type ConnectionOwner, type SlowClient } from "./client-connection.js";
import type { Edge } from "./edge.js";
import { DEFAULT_LIMITS, type ProxyLimits } from "./limits.js";
import type { LoadBalancer } from "./load-balancer.js";
import { type Route, Router } from "./router.js";

export interface ProxyOptions {
  host: string;
  port: number;
  /** What a client may take of the proxy's time; the defaults suit production, tests shorten them. */
  limits?: Partial<ProxyLimits>;
}

/**
 * The public port. It owns the client connections: a switch changes where the next request goes and
 * never closes a client connection, which is what makes a deploy invisible to keep-alive clients.
 * HTTP/1.1 is spoken on both sides by the proxy's own reader and writer (src/proxy/http1): the request
 * path is a few string operations and one socket write each way (see docs/benchmarks.md for why).
 */
export class ProxyServer implements ConnectionOwner {
  readonly router = new Router();
  private readonly server: Server;
  private readonly connections = new Set<ClientConnection>();
  private sweeper: NodeJS.Timeout | undefined;
  readonly limits: ProxyLimits;
  /** Clients given up on since start, by what they were too slow at (for /metrics). */
  readonly slowClients: Record<SlowClient, number> = { head: 0, body: 0, send: 0 };
  stopping = false;
  /** Set by the agent when it serves HTTPS (src/tls/): ACME challenges, redirects, HSTS. */
  edge: Edge | undefined;

  constructor(private readonly options: ProxyOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
  }

  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.sweeper = setInterval(() => this.sweep(), this.limits.sweepMs);
    this.sweeper.unref();
    return this.server.address() as AddressInfo;
  }

  /**
   * Serves a connection like one of its own: the TLS listener hands its decrypted sockets here, so
   * HTTPS shares the routes, the switch and the drain of plain HTTP.
   */
  accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    this.connections.add(new ClientConnection(socket, this));
  }

  /** Points `route` at `lb` for every request from now on; returns what it pointed at before. */
  switch(route: Route, lb: LoadBalancer | undefined): LoadBalancer | undefined {
    const previous = route.live;
    lb?.configure(this.limits.upstreamConnections);
    route.live = lb;
    return previous;
  }

  forget(connection: ClientConnection): void {
    this.connections.delete(connection);
  }

  slowClient(reason: SlowClient): void {
    this.slowClients[reason]++;
  }

  /**
   * Stops accepting, closes idle connections, lets in-flight requests finish (up to `drainMs`), then
   * closes every connection, client and upstream.
   */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.closeWhenIdle();
    const deadline = Date.now() + drainMs;
    while (this.connections.size > 0 && Date.now() < deadline) await sleep(10);
    for (const connection of this.connections) connection.destroy();
    await closed;
    await Promise.all(this.router.all().map((route) => route.live?.drain(0)));
  }

  private sweep(): void {
    const now = Date.now();
    for (const connection of this.connections) connection.expire(now);
  }
}
