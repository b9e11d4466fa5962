import type { AddressInfo, Socket } from "node:net";
import { createServer, type SecureContext, type Server, type TLSSocket } from "node:tls";
import { listeningFd } from "../proxy/proxy.js";
import { TICKET_LIFETIME_S } from "./ticket-keys.js";

export interface TlsListenerOptions {
  host: string;
  port: number;
  sni: (servername: string, done: (error: Error | null, context?: SecureContext) => void) => void;
  /**
   * Whether a name has a certificate here. A resumed session skips the SNI callback (no certificate is
   * sent), so a TLS 1.3 connection that resumed for a name `sni` would refuse (a ticket of another host,
   * a host removed since) is closed before it is served.
   */
  serves: (servername: string) => boolean;
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
 *
 * Sessions resume by ticket (TLS 1.2 and 1.3) under the key `setTicketKeys` gives (ticket-keys.ts). Per
 * connection this adds no JavaScript of its own beyond the SNI lookup and the `serves` check: every
 * handler is shared, none is a closure made per socket (see docs/benchmarks.md, bench:tls).
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
      sessionTimeout: TICKET_LIFETIME_S,
      // Set by the server on accept, as the plain port does (no JavaScript call per socket).
      noDelay: true,
    });
    const sockets = this.sockets;
    function forget(this: Socket): void {
      sockets.delete(this);
    }
    this.server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", forget);
    });
    this.server.on("secureConnection", (socket: TLSSocket) => {
      // A name is known here unless a TLS 1.2 session resumed: OpenSSL then reports the name of the
      // session's first handshake, which Node does not record, so none. That first handshake passed the
      // SNI callback (without a name there is no certificate, so no handshake and no session).
      const name = socket.servername;
      if (typeof name === "string" && !options.serves(name)) socket.destroy();
      else options.accept(socket);
    });
    // A failed handshake (unknown name, a scanner, a timeout) concerns that client only.
    this.server.on("tlsClientError", () => undefined);
  }

  /** The session-ticket key (48 bytes): tickets sealed by a previous process with it still resume. */
  setTicketKeys(keys: Buffer): void {
    this.server.setTicketKeys(keys);
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
