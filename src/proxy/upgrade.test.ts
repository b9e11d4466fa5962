import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { describe, expect, it } from "vitest";
import { listen, proxyTo, rawClient, rawExchange, useCleanups } from "../test-support/proxy.js";

const cleanups = useCleanups();

/** A Node app without an upgrade handler: it answers every request, Upgrade or not, with 200 and what it got. */
async function plainApp(seen: string[] = []): Promise<number> {
  const server = createHttpServer((req, res) => {
    let body = "";
    req.setEncoding("latin1");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      const answer = JSON.stringify({ url: req.url, body, xff: req.headers["x-forwarded-for"] });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  return listen(cleanups, server);
}

/**
 * An app that reads one request (head and Content-Length body) byte for byte, answers 101, then echoes
 * whatever comes after in upper case: the tunnel.
 */
async function switchingApp(): Promise<{ port: number; requests: Array<{ head: string; body: string }> }> {
  const requests: Array<{ head: string; body: string }> = [];
  const server = createTcpServer((socket) => {
    let buffered = "";
    let switched = false;
    socket.setEncoding("latin1");
    socket.on("error", () => undefined);
    socket.on("data", (chunk: string) => {
      if (switched) {
        socket.write(chunk.toUpperCase());
        return;
      }
      buffered += chunk;
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) return;
      const head = buffered.slice(0, end);
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      requests.push({ head, body: buffered.slice(end + 4, end + 4 + length) });
      switched = true;
      socket.write("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n");
      const after = buffered.slice(end + 4 + length);
      if (after) socket.write(after.toUpperCase());
    });
  });
  return { port: await listen(cleanups, server), requests };
}

describe("Upgrade requests", () => {
  it("keep speaking HTTP when the app answers 200: the next request is parsed by the proxy", async () => {
    const seen: string[] = [];
    const { port } = await proxyTo(cleanups, [await plainApp(seen)]);
    const client = await rawClient(cleanups, port);
    client.socket.write(
      "GET /ws HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    );
    await client.until((text) => text.includes('"url":"/ws"'));
    expect(client.text()).toMatch(/^HTTP\/1.1 200 OK\r\n/);

    // A request the proxy refuses (an obsolete folded header) gets the proxy's own 400, never the app.
    client.socket.write("GET /next HTTP/1.1\r\nHost: app.test\r\nX-Folded: a\r\n b\r\n\r\n");
    const text = await client.until((t) => t.includes("HTTP/1.1 400"));
    expect(text.slice(text.indexOf("HTTP/1.1 400"))).toMatch(/x-skiff: proxy\r\n/);
    expect(seen).toEqual(["GET /ws"]);
  });

  it("rewrite X-Forwarded-For on a request that follows an upgrade the app declined", async () => {
    const { port } = await proxyTo(cleanups, [await plainApp()]);
    const wire =
      "GET /ws HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n" +
      "GET /next HTTP/1.1\r\nHost: app.test\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n";
    const { text } = await rawExchange(cleanups, port, wire, (t) => t.includes('"url":"/next"'));
    expect(text).toContain('"xff":"6.6.6.6, 127.0.0.1"');
  });

  it("answer CONNECT with 405 even when it says Connection: upgrade", async () => {
    const seen: string[] = [];
    const { port } = await proxyTo(cleanups, [await plainApp(seen)]);
    const wire =
      "CONNECT app.test:443 HTTP/1.1\r\nHost: app.test\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n";
    const { text, closed } = await rawExchange(cleanups, port, wire);
    expect(text).toMatch(/^HTTP\/1.1 405 /);
    expect(closed).toBe(true);
    expect(seen).toEqual([]);
  });

  it("pass llhttp's 'Upgrade POST request': the body to the app, the bytes after it into the tunnel", async () => {
    const app = await switchingApp();
    const { port } = await proxyTo(cleanups, [app.port]);
    const client = await rawClient(cleanups, port);
    // One write, as llhttp's fixture has it: head, 15 bytes of body, then the new protocol's first bytes.
    client.socket.write(
      "POST /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: HTTP/2.0\r\n" +
        "Content-Length: 15\r\n\r\nsweet post bodyHot diggity dogg",
    );
    const text = await client.until((t) => t.includes("HOT DIGGITY DOGG"));
    expect(text).toMatch(/^HTTP\/1.1 101 Switching Protocols\r\n/);
    expect(text).toMatch(/\r\nUpgrade: echo\r\n/i);
    expect(app.requests.map((r) => r.body)).toEqual(["sweet post body"]);
    client.socket.write("and more");
    await client.until((t) => t.endsWith("AND MORE"));
  });

  it("pass llhttp's 'Emitting part of body and pausing' to an app that declines the upgrade", async () => {
    const { port } = await proxyTo(cleanups, [await plainApp()]);
    // The fixture plus a Host header, which HTTP/1.1 requires (the proxy refuses requests without one).
    const wire =
      "PUT /url HTTP/1.1\r\nHost: app.test\r\nConnection: upgrade\r\nContent-Length: 4\r\nUpgrade: ws\r\n\r\nabcdefgh";
    const { text } = await rawExchange(cleanups, port, wire, (t) => t.includes('"body":"abcd"'));
    expect(text).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(text).toContain('"body":"abcd"');
  });

  it("forward an h2c upgrade POST whose body came in the same packet (curl --http2 -d)", async () => {
    const { port } = await proxyTo(cleanups, [await plainApp()]);
    const wire =
      "POST / HTTP/1.1\r\nHost: app.test\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n" +
      "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n" +
      "Content-Length: 11\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nhello=world";
    const { text } = await rawExchange(cleanups, port, wire, (t) => t.includes("hello=world"));
    expect(text).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(text).toContain('"body":"hello=world"');
  });
});
