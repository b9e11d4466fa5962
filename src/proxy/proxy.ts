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
  /** Hold connections accepted before `serve()` (the agent, while it brings its releases back). */
  holdUntilServe?: boolean;
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
  /** Set once the agent stops for good: late sockets (a TLS handshake finishing) are refused. */
  private closed = false;
  /**
   * Connections accepted before the agent is ready (its live releases back or adopted): read once
   * `serve()` is called, so a request that arrives during a restart waits instead of getting a 503.
   */
  private held: Socket[] | undefined;
  /** Set by the agent when it serves HTTPS (src/tls/): ACME challenges, redirects, HSTS. */
  edge: Edge | undefined;

  constructor(private readonly options: ProxyOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    if (options.holdUntilServe) this.held = [];
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
  }

  /**
   * Listens on host:port, or on `fd`: a listening socket inherited from the agent this one replaces or
   * from systemd, which the kernel kept queueing connections on while no agent accepted them.
   */
  async start(fd?: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      const where = fd === undefined ? { port: this.options.port, host: this.options.host } : { fd };
      this.server.listen(where, () => {
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
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (this.held) {
      socket.pause();
      socket.on("error", () => undefined);
      this.held.push(socket);
      return;
    }
    this.connections.add(new ClientConnection(socket, this));
  }

  /** Starts reading the connections held since start: the routes now lead somewhere. */
  serve(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const socket of held) {
      if (socket.destroyed) continue;
      this.connections.add(new ClientConnection(socket, this));
      socket.resume();
    }
  }

  /** The listening socket, for a reload to hand to the agent that replaces this one. */
  get fd(): number | undefined {
    return listeningFd(this.server);
  }

  /**
   * A reload: another agent accepts on the same socket now. Stops accepting without closing a single
   * connection (closing a Node http.Server would close the idle ones, and a client sending on one as it
   * closes gets an error: nginx's reload race). Each connection's next answer says `Connection: close`;
   * an idle one is closed only once idle for `graceMs`, the keep-alive timeout clients were promised.
   * Resolves when the last connection is gone, or after `drainMs` with the stragglers destroyed.
   */
  async handOver(graceMs: number, drainMs: number): Promise<void> {
    this.stopping = true;
    this.serve();
    clearInterval(this.sweeper);
    this.server.close();
    const deadline = Date.now() + drainMs;
    while (this.connections.size > 0 && Date.now() < deadline) {
      // After the timer, let pending reads in first: on a stalled event loop a request that already
      // arrived must not find its connection counted idle and closed under it (a reset).
      await new Promise((resolve) => setImmediate(resolve));
      const now = Date.now();
      for (const connection of this.connections) {
        if (connection.idleFor(now) >= graceMs) connection.closeWhenIdle();
      }
      await sleep(Math.min(100, graceMs));
    }
    for (const connection of this.connections) connection.destroy();
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
    this.closed = true;
    for (const socket of this.held ?? []) socket.destroy();
    this.held = undefined;
    clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) =>
      this.server.listening ? this.server.close(() => resolve()) : resolve(),
    );
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

/** The descriptor of a listening net.Server (libuv's handle keeps it; Node has no public accessor). */
export function listeningFd(server: Server): number | undefined {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}
