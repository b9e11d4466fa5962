import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { createAdaptorServer } from "@hono/node-server";
import { listeningFd } from "../proxy/proxy.js";

type Fetch = Parameters<typeof createAdaptorServer>[0]["fetch"];

/**
 * The control API's socket. The listening socket is a plain net.Server that hands each connection to
 * Hono's http.Server, so a reload can stop accepting (close the listener) without http.Server.close(),
 * which would also close idle keep-alive connections a CLI may be sending its next request on.
 */
export class ApiServer {
  private readonly listener: Server;
  private readonly http: HttpServer;
  private readonly sockets = new Set<Socket>();
  /** During a hand-over every answer closes its connection, so the client's next one opens a new one. */
  private closing = false;

  constructor(fetch: Fetch) {
    this.http = createAdaptorServer({ fetch }) as HttpServer;
    this.http.prependListener("request", (_req: IncomingMessage, res: ServerResponse) => {
      if (this.closing) res.shouldKeepAlive = false;
    });
    this.listener = createServer((socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
      this.http.emit("connection", socket);
    });
  }

  /** Listens on host:port, or on an inherited listening socket `fd` (a reload, systemd). */
  listen(where: { host: string; port: number } | { fd: number }): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.listener.once("error", reject);
      this.listener.listen(where, () => {
        this.listener.off("error", reject);
        resolve(this.listener.address() as AddressInfo);
      });
    });
  }

  get fd(): number | undefined {
    return listeningFd(this.listener);
  }

  /**
   * A reload: stop accepting, answer with `Connection: close`, let idle connections end by the
   * http.Server's own keep-alive timeout (the one it announced), and cut what is left (a `logs -f`)
   * after `drainMs`.
   */
  async handOver(drainMs: number): Promise<void> {
    this.closing = true;
    if (this.listener.listening) this.listener.close();
    const deadline = Date.now() + drainMs;
    while (this.sockets.size > 0 && Date.now() < deadline) await sleep(50);
    await this.stop();
  }

  /** Stops accepting and ends every connection (streams still open end with the agent). */
  async stop(): Promise<void> {
    if (this.listener.listening) this.listener.close();
    this.http.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
