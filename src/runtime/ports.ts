import { createServer } from "node:net";

/**
 * A port nobody listens on right now, chosen by the kernel. Releases get ports this way, so a port in use
 * is never a reason for a deploy to fail; `avoid` skips ports already handed to live instances.
 */
export async function freePort(host = "127.0.0.1", avoid: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once("error", reject);
      server.listen(0, host, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (!avoid.has(port)) return port;
  }
  throw new Error("could not find a free port");
}
