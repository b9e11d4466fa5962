import { createServer as createHttpServer } from "node:http";
import { createSecureContext } from "node:tls";
import { describe, expect, it, vi } from "vitest";
import { makeCert } from "../monitor/test-support/servers.js";
import type { ProxyLimits } from "../proxy/limits.js";
import { backend, listen, proxyTo, rawClient, useCleanups } from "../test-support/proxy.js";
import { TlsListener } from "./tls-listener.js";

const cleanups = useCleanups();

/**
 * The proxy with the TLS listener in front of it, as the agent wires them (src/tls/tls-service.ts): the
 * decrypted sockets go to `proxy.accept`. Returns both ports and a way to open a raw TLS client.
 */
async function tlsProxy(appPort: number, limits?: Partial<ProxyLimits>) {
  const plain = await proxyTo(cleanups, [appPort], limits);
  const cert = await makeCert(30);
  const context = createSecureContext({ key: cert.key, cert: cert.cert });
  const listener = new TlsListener({
    host: "127.0.0.1",
    port: 0,
    sni: (_name, done) => done(null, context),
    serves: () => true,
    accept: (socket) => plain.proxy.accept(socket),
  });
  const { port: tlsPort } = await listener.start();
  cleanups.push(() => listener.stop());
  // The certificate is for 127.0.0.1; the name sent is the app's, so only the chain is checked.
  const tlsClient = () =>
    rawClient(cleanups, tlsPort, {
      ca: cert.cert,
      servername: "app.test",
      checkServerIdentity: () => undefined,
    });
  return { ...plain, tlsClient };
}

describe("the proxy behind the TLS listener", () => {
  it("tells the app X-Forwarded-Proto: https on TLS and http on the plain port, whatever the client claimed", async () => {
    const { port, tlsClient } = await tlsProxy(await backend(cleanups, "a"));
    const claims = "x-forwarded-proto: http\r\nx-forwarded-host: bank.example\r\n";
    const secure = await tlsClient();
    secure.socket.write(`GET /over-tls HTTP/1.1\r\nHost: app.test\r\n${claims}\r\n`);
    const overTls = await secure.until((t) => t.includes('"body":""}'));
    const plain = await rawClient(cleanups, port);
    plain.socket.write(
      "GET /plain HTTP/1.1\r\nHost: app.test\r\nx-forwarded-proto: https\r\nx-forwarded-host: bank.example\r\n\r\n",
    );
    const overPlain = await plain.until((t) => t.includes('"body":""}'));
    const seen = (text: string) =>
      (
        JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)) as {
          headers: Record<string, string>;
        }
      ).headers;
    expect(seen(overTls)).toMatchObject({ "x-forwarded-proto": "https", "x-forwarded-host": "app.test" });
    expect(seen(overPlain)).toMatchObject({ "x-forwarded-proto": "http", "x-forwarded-host": "app.test" });
  });

  it("answers 408 to a TLS client whose body stops arriving, as on the plain port", async () => {
    const { proxy, tlsClient } = await tlsProxy(await backend(cleanups, "a"), {
      bodyMs: 300,
      sweepMs: 25,
    });
    const client = await tlsClient();
    client.socket.write(
      `POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: 1000\r\n\r\n${"x".repeat(100)}`,
    );
    const text = await client.until((t) => t.includes("did not arrive in time"));
    expect(text).toMatch(/^HTTP\/1.1 408 Request Timeout\r\n/);
    expect(proxy.slowClients.body).toBe(1);
  });

  it("disconnects a TLS client that does not read its answer, freeing the app's side", async () => {
    let aborted = 0;
    const chunk = Buffer.alloc(64 * 1024, "b");
    // An answer without end, written with backpressure: it only stops when the proxy lets go.
    const app = createHttpServer((_req, res) => {
      res.on("close", () => {
        if (!res.writableFinished) aborted++;
      });
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on("drain", pump);
      pump();
    });
    const { proxy, lb, tlsClient } = await tlsProxy(await listen(cleanups, app), {
      sendMs: 300,
      sweepMs: 25,
    });
    const client = await tlsClient();
    client.socket.pause();
    client.socket.write("GET /big HTTP/1.1\r\nHost: app.test\r\n\r\n");
    await vi.waitFor(() => expect(aborted).toBe(1), { timeout: 10_000 });
    expect(proxy.slowClients.send).toBe(1);
    expect(lb.inflight).toBe(0);
  });
});
