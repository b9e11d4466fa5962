import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, connect, type Socket, type Server as TcpServer } from "node:net";
import { type ConnectionOptions, connect as connectTls } from "node:tls";
import { afterEach } from "vitest";
import type { ProxyLimits } from "../proxy/limits.js";
import { LoadBalancer } from "../proxy/load-balancer.js";
import { ProxyServer } from "../proxy/proxy.js";
import { Target } from "../proxy/target.js";

/** A promise and its resolve function, for a test to wait on what the code under test does (Node 20 lacks Promise.withResolvers). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Servers, proxies and sockets a proxy test started, closed after each test in reverse order. */
export function useCleanups(): Array<() => Promise<unknown> | unknown> {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

export type Cleanups = ReturnType<typeof useCleanups>;

export async function listen<T extends Server | TcpServer>(cleanups: Cleanups, server: T): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    (server as Server).closeAllConnections?.();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

/** A backend that answers with its name and what it received; /slow answers after 400 ms. */
export function backend(cleanups: Cleanups, name: string, onRequest?: (req: IncomingMessage) => void) {
  const server = createHttpServer((req, res) => {
    onRequest?.(req);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url?.startsWith("/slow")) {
        setTimeout(() => res.end(`${name} slow`), 400);
        return;
      }
      res.writeHead(200, {
        "content-type": "application/json",
        connection: "keep-alive",
        "keep-alive": "timeout=5",
        "x-custom": "1",
      });
      res.end(
        JSON.stringify({
          name,
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  return listen(cleanups, server);
}

export async function proxyTo(
  cleanups: Cleanups,
  ports: number[],
  limits?: Partial<ProxyLimits>,
): Promise<{ url: string; port: number; proxy: ProxyServer; lb: LoadBalancer }> {
  const proxy = new ProxyServer({ host: "127.0.0.1", port: 0, ...(limits ? { limits } : {}) });
  const route = proxy.router.set("app", []);
  const lb = new LoadBalancer(
    "r1",
    ports.map((port) => new Target("127.0.0.1", port, () => true)),
  );
  proxy.switch(route, lb);
  const address = await proxy.start();
  cleanups.push(() => proxy.stop(100));
  return { url: `http://127.0.0.1:${address.port}`, port: address.port, proxy, lb };
}

/**
 * Writes raw bytes to `port` and collects what comes back until `done(text)` says so, the connection
 * closes, or `timeoutMs` passes. `closed` tells whether the other side closed the connection.
 */
export function rawExchange(
  cleanups: Cleanups,
  port: number,
  bytes: string | Buffer,
  done: (text: string) => boolean = () => false,
  timeoutMs = 3_000,
): Promise<{ text: string; closed: boolean }> {
  const socket = connect(port, "127.0.0.1");
  cleanups.push(() => socket.destroy());
  return new Promise((resolve) => {
    let text = "";
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      resolve({ text, closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (done(text)) finish(false);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => finish(true));
    socket.write(bytes);
  });
}

/** A raw client connection: what it received so far, and a way to wait for more. */
export interface RawClient {
  readonly socket: Socket;
  /** Everything received, as latin1. */
  text(): string;
  closed(): boolean;
  /**
   * Resolves once `done(text)` holds, the connection closes, or (a guard against hanging, not a
   * measurement) `guardMs` passes; the caller's assertions say which.
   */
  until(done: (text: string) => boolean, guardMs?: number): Promise<string>;
}

/** With `tls`, the connection is a TLS one (to the proxy's TLS listener), its bytes the decrypted ones. */
export async function rawClient(
  cleanups: Cleanups,
  port: number,
  tls?: ConnectionOptions,
): Promise<RawClient> {
  const socket = tls ? connectTls({ ...tls, port, host: "127.0.0.1" }) : connect(port, "127.0.0.1");
  cleanups.push(() => socket.destroy());
  let text = "";
  let closed = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
    wake();
  });
  socket.on("error", () => undefined);
  socket.on("close", () => {
    closed = true;
    wake();
  });
  await new Promise((resolve) => socket.once(tls ? "secureConnect" : "connect", resolve));
  return {
    socket,
    text: () => text,
    closed: () => closed,
    until: (done, guardMs = 10_000) =>
      new Promise((resolve) => {
        const finish = () => {
          clearTimeout(guard);
          waiters.delete(check);
          resolve(text);
        };
        const check = () => {
          if (done(text) || closed) finish();
        };
        const guard = setTimeout(finish, guardMs);
        waiters.add(check);
        check();
      }),
  };
}
