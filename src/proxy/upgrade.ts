import type { Socket } from "node:net";
import type { LoadBalancer } from "./load-balancer.js";

/**
 * After an app answered 101 to an Upgrade request (a WebSocket, h2c): bytes go both ways between the
 * client and that instance until either side closes. `clientRest` is what the client sent after its
 * request, `upstreamRest` what the app sent after its 101. The tunnel is listed on the release's load
 * balancer, so a drain that times out closes it; `onClose` runs once when it ends.
 */
export function pipeTunnel(
  client: Socket,
  clientRest: Buffer,
  upstream: Socket,
  upstreamRest: Buffer,
  lb: LoadBalancer,
  onClose: () => void,
): void {
  lb.tunnels.add(upstream);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    lb.tunnels.delete(upstream);
    upstream.destroy();
    client.destroy();
    onClose();
  };
  upstream.on("error", close);
  upstream.once("close", close);
  client.on("error", close);
  client.once("close", close);
  if (upstreamRest.length > 0) client.write(upstreamRest);
  if (clientRest.length > 0) upstream.write(clientRest);
  upstream.pipe(client);
  client.pipe(upstream);
  upstream.resume();
}
