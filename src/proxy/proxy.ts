import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ForwardedRequest, readBody, respondPlain } from "./forward.js";
import type { LoadBalancer } from "./load-balancer.js";
import { type Route, Router } from "./router.js";
import { proxyUpgrade } from "./upgrade.js";

export interface ProxyOptions {
  host: string;
  port: number;
}

/**
 * The public port. It owns the client connections: a switch changes where the next request goes and
 * never closes a client connection, which is what makes a deploy invisible to keep-alive clients.
 */
export class ProxyServer {
  readonly router = new Router();
  private readonly server: Server;
  private active = 0;

  constructor(private readonly options: ProxyOptions) {
    this.server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, (req, res) =>
      this.handle(req, res),
    );
    this.server.on("upgrade", (req, socket, head) => {
      const route = this.router.match(req.headers.host);
      if (!route) socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      else proxyUpgrade(req, socket, head, route);
    });
    this.server.on("clientError", (_error, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      else socket.destroy();
    });
  }

  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Points `route` at `lb` for every request from now on; returns what it pointed at before. */
  switch(route: Route, lb: LoadBalancer | undefined): LoadBalancer | undefined {
    const previous = route.live;
    route.live = lb;
    return previous;
  }

  /**
   * Stops accepting, lets in-flight requests finish (up to `drainMs`), then closes every connection,
   * client and upstream.
   */
  async stop(drainMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const deadline = Date.now() + drainMs;
    while (this.active > 0 && Date.now() < deadline) await sleep(10);
    this.server.closeAllConnections();
    await closed;
    await Promise.all(this.router.all().map((route) => route.live?.drain(0)));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.active++;
    res.once("close", () => this.active--);
    const route = this.router.match(req.headers.host);
    if (!route) {
      respondPlain(res, 404, `no app is routed for host ${req.headers.host ?? "(none)"}`);
      return;
    }
    if (!route.live) {
      respondPlain(res, 503, `${route.app} has no live release`);
      return;
    }
    const body = readBody(req);
    if (body instanceof Promise) {
      body.then(
        (buffered) => new ForwardedRequest(req, res, route, buffered).send(),
        () => res.destroy(),
      );
    } else {
      new ForwardedRequest(req, res, route, body).send();
    }
  }
}
