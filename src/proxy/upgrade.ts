import { connect, type Socket } from "node:net";
import { upstreamRequestHead } from "./headers.js";
import type { RequestHead } from "./http1/head.js";
import type { Route } from "./router.js";

/**
 * A WebSocket (or other Upgrade) request: open a raw connection to one instance of the live release,
 * replay the request head, then pipe bytes both ways until either side closes.
 */
export function proxyUpgrade(
  request: RequestHead,
  client: Socket,
  head: Buffer,
  route: Route,
  clientAddress: string,
  secure = false,
): void {
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
    upstream.write(upstreamRequestHead(request, clientAddress, true, secure), "latin1");
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
