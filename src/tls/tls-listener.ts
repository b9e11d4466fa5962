import type { AddressInfo, Socket } from "node:net";
import { createServer, type SecureContext, type Server, type TLSSocket } from "node:tls";
import { listeningFd } from "../proxy/proxy.js";

export interface TlsListenerOptions {
  host: string;
  port: number;
  sni: (servername: string, done: (error: Error | null, context?: SecureContext) => void) => void;
  /** Gets every socket once its handshake is done: the proxy's connection handling takes it from there. */
  accept: (socket: TLSSocket) => void;
  /** A client must finish its handshake within this time (a slow handshake holds a socket). */
  handshakeTimeoutMs?: number;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * The HTTPS port: TLS only. Decrypted sockets go to the same connection handling as plain HTTP (the
 * proxy's `accept`), so routes, switches, drains, keep-alive and WebSockets behave the same. ALPN offers
 * http/1.1 only: the proxy speaks HTTP/1.1 (HTTP/2 would need its own connection handling).
 */
export class TlsListener {
  private readonly server: Server;
  /** Every raw connection, so a stop can end handshakes that never finished. */
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: TlsListenerOptions) {
    this.server = createServer({
      SNICallback: options.sni,
      ALPNProtocols: ["http/1.1"],
      handshakeTimeout: options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      minVersion: "TLSv1.2",
    });
    this.server.on("connection", (socket: Socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    this.server.on("secureConnection", (socket: TLSSocket) => options.accept(socket));
    // A failed handshake (unknown name, a scanner, a timeout) concerns that client only.
    this.server.on("tlsClientError", () => undefined);
  }

  /** Listens on host:port, or on an inherited listening socket `fd` (a reload, systemd). */
  async start(fd?: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      const where = fd === undefined ? { port: this.options.port, host: this.options.host } : { fd };
      this.server.listen(where, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** The listening socket, for a reload to hand over. */
  get fd(): number | undefined {
    return listeningFd(this.server);
  }

  /** Stops accepting; connections already handed over stay with the proxy, which drains them. */
  close(): void {
    if (this.server.listening) this.server.close();
  }

  /** After the proxy's drain: ends what is left (handshakes in progress). */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening && this.sockets.size === 0) resolve();
      else this.server.close(() => resolve());
    });
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
