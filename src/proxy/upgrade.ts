import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { upstreamRequestHeaders } from "./headers.js";
import type { Route } from "./router.js";

/**
 * A WebSocket (or other Upgrade) request: open a raw connection to one instance of the live release,
 * replay the request head, then pipe bytes both ways until either side closes.
 */
export function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, route: Route): void {
  const lb = route.live;
  const target = lb?.pick();
  if (!lb || !target) {
    client.end("HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    return;
  }
  const upstream: Socket = connect({ host: target.host, port: target.port });
  lb.inflight++;
  lb.tunnels.add(upstream);
  let closed = false;
  let connected = false;
  const close = () => {
    if (closed) return;
    closed = true;
    lb.inflight--;
    lb.tunnels.delete(upstream);
    upstream.destroy();
    if (connected) client.destroy();
  };
  upstream.once("connect", () => {
    connected = true;
    const headers = upstreamRequestHeaders(req, true);
    let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    upstream.write(`${text}\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.once("error", () => {
    if (!connected) client.end("HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    close();
  });
  upstream.once("close", close);
  client.once("error", close);
  client.once("close", close);
}
