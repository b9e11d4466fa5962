import { createServer as createHttpServer } from "node:http";
import { Client } from "undici";
import { describe, expect, it, vi } from "vitest";
import { listen, proxyTo, type RawClient, rawClient, useCleanups } from "../test-support/proxy.js";

const cleanups = useCleanups();

/**
 * The app behind the proxy, counting what happens to it: `/big` streams an answer without end (with
 * backpressure, so it stops writing when nobody reads: `blocked` counts those stopped now), `/upload`
 * reads a body and says how long it was, anything else answers "ok". `aborted` counts requests and
 * answers cut off before their end.
 */
async function app() {
  const seen = {
    requests: 0,
    aborted: 0,
    blocked: 0,
    uploads: [] as Array<{ length: string | undefined; body: string }>,
  };
  const chunk = Buffer.alloc(64 * 1024, "b");
  const server = createHttpServer((req, res) => {
    seen.requests++;
    let blocked = false;
    const block = (now: boolean) => {
      if (now !== blocked) seen.blocked += now ? 1 : -1;
      blocked = now;
    };
    res.on("close", () => {
      block(false);
      if (!res.writableFinished) seen.aborted++;
    });
    if (req.url === "/big") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const pump = () => {
        block(false);
        while (!res.destroyed && res.write(chunk));
        block(!res.destroyed);
      };
      res.on("drain", pump);
      pump();
      return;
    }
    let body = "";
    req.setEncoding("latin1");
    req.on("data", (data: string) => {
      body += data;
    });
    req.on("end", () => {
      if (req.url === "/upload") seen.uploads.push({ length: req.headers["content-length"], body });
      res.end(req.url === "/upload" ? `got ${body.length}` : "ok");
    });
  });
  return { port: await listen(cleanups, server), seen };
}

const chunked = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n`;

describe("slow clients", () => {
  it("answer 408 to a body that stops arriving, and abort the request to the app", async () => {
    const { port: appPort, seen } = await app();
    const { port, proxy } = await proxyTo(cleanups, [appPort], {
      bodyMs: 300,
      sweepMs: 25,
      bodyBufferBytes: 10,
    });
    const client = await rawClient(cleanups, port);
    // Past the 10-byte buffer: the request is on its way to the app, its body streaming.
    client.socket.write(
      `POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: 1000\r\n\r\n${"x".repeat(100)}`,
    );
    await vi.waitFor(() => expect(seen.requests).toBe(1));
    const text = await client.until((t) => t.includes("\r\n\r\n"));
    expect(text).toMatch(/^HTTP\/1.1 408 Request Timeout\r\n/);
    expect(text).toMatch(/connection: close\r\n/);
    expect(await client.until(() => false)).toContain("did not arrive in time");
    expect(client.closed()).toBe(true);
    await vi.waitFor(() => expect(seen.aborted).toBe(1));
    expect(proxy.slowClients.body).toBe(1);
  });

  it("answer 408 to a chunked body dripped slower than the minimum rate, which never reached the app", async () => {
    const { port: appPort, seen } = await app();
    const { port, proxy } = await proxyTo(cleanups, [appPort], {
      bodyMs: 1_000,
      minBodyRate: 1_000,
      sweepMs: 25,
    });
    const client = await rawClient(cleanups, port);
    client.socket.write(chunked("/upload"));
    // One byte every 20 ms is 50 bytes/s: each byte buys 1 ms, so the allowance runs out in about a second.
    const drip = setInterval(() => client.socket.write("1\r\nx\r\n"), 20);
    cleanups.push(() => clearInterval(drip));
    const text = await client.until((t) => t.includes("\r\n\r\n"));
    clearInterval(drip);
    expect(text).toMatch(/^HTTP\/1.1 408 Request Timeout\r\n/);
    expect(proxy.slowClients.body).toBe(1);
    // Under the 64 KB buffer and never complete: it never took a connection to the app.
    expect(seen.requests).toBe(0);
  });

  it("read a small chunked body whole before taking a connection, and send it on with its length", async () => {
    const { port: appPort, seen } = await app();
    const { port } = await proxyTo(cleanups, [appPort]);
    const client = await rawClient(cleanups, port);
    client.socket.write(`${chunked("/upload")}5\r\nhello\r\n`);
    client.socket.write("6\r\n world\r\n0\r\n\r\n");
    expect(await client.until((t) => t.includes("got 11"))).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(seen.uploads).toEqual([{ length: "11", body: "hello world" }]);
  });

  it("close a client that does not read its answer, freeing the app's side", async () => {
    const { port: appPort, seen } = await app();
    const { port, proxy, lb } = await proxyTo(cleanups, [appPort], { sendMs: 300, sweepMs: 25 });
    const client = await rawClient(cleanups, port);
    client.socket.pause();
    client.socket.write("GET /big HTTP/1.1\r\nHost: app.test\r\n\r\n");
    await vi.waitFor(() => expect(seen.aborted).toBe(1), { timeout: 10_000 });
    expect(proxy.slowClients.send).toBe(1);
    expect(lb.inflight).toBe(0);
  });

  it("keep serving a normal client while 500 slow clients hold on to one app", async () => {
    const { port: appPort, seen } = await app();
    // A small cap so that 40 non-reading clients are more than the pool's whole allowance (4 × 8); every
    // other limit is the default, so no slow client is timed out during the test: what keeps the normal
    // client served is buffering small bodies and not letting stalled connections fill the pool.
    const { port, lb } = await proxyTo(cleanups, [appPort], { upstreamConnections: 8 });
    const nonReaders = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const client = await rawClient(cleanups, port);
        client.socket.pause();
        client.socket.write("GET /big HTTP/1.1\r\nHost: app.test\r\n\r\n");
        return client;
      }),
    );
    const holders: RawClient[] = await Promise.all(
      Array.from({ length: 460 }, async (_, i) => {
        const client = await rawClient(cleanups, port);
        // Half drip a chunked body that never ends, half send a head that never ends.
        client.socket.write(i % 2 === 0 ? `${chunked("/upload")}1\r\nx\r\n` : "GET / HTTP/1.1\r\nHost: app");
        return client;
      }),
    );
    // The non-readers have taken more connections than the cap, and the app has stopped writing to them.
    await vi.waitFor(() => expect(seen.blocked).toBeGreaterThan(8), { timeout: 30_000 });

    const normal = new Client(`http://127.0.0.1:${port}`, { headersTimeout: 20_000, bodyTimeout: 20_000 });
    cleanups.push(() => normal.close());
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await normal.request({
        path: `/normal-${i}`,
        method: "GET",
        headers: { host: "app.test" },
      });
      await res.body.text();
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual(Array(20).fill(200));
    // The slow clients were all still there (none was timed out): they were merely kept from the app.
    expect(holders.filter((c) => c.closed())).toEqual([]);
    expect(seen.uploads).toEqual([]);
    expect(lb.targets[0]!.pool.stats().reclaimed).toBeGreaterThanOrEqual(8);
    expect(nonReaders.length).toBe(40);
  });
});
