import { createHash } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { Readable } from "node:stream";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { listen, proxyTo, rawClient, rawExchange, useCleanups } from "../test-support/proxy.js";

const cleanups = useCleanups();

/** A Node app that answers with a hash of the body it got, and other answers by path. */
async function app(): Promise<number> {
  const server = createHttpServer((req, res) => {
    const hash = createHash("sha256");
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    req.on("end", () => {
      if (req.url === "/no-content") {
        res.writeHead(204).end();
      } else if (req.url === "/chunked") {
        res.write("part one, ");
        setTimeout(() => res.end("part two"), 20);
      } else if (req.url === "/big") {
        res.end(Buffer.alloc(3 * 1024 * 1024, "b"));
      } else {
        const body = JSON.stringify({
          url: req.url,
          bytes,
          sha: hash.digest("hex"),
          te: req.headers["transfer-encoding"] ?? null,
        });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      }
    });
  });
  return listen(cleanups, server);
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const http11 = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: app.test\r\n${extra}\r\n`;

describe("client connections", () => {
  it("streams a large and a chunked request body to the app intact", async () => {
    const { url } = await proxyTo(cleanups, [await app()]);
    const large = Buffer.alloc(1024 * 1024 + 7, "x");
    const res = await request(`${url}/upload`, { method: "PUT", body: large });
    expect(await res.body.json()).toMatchObject({ bytes: large.length, sha: sha(large), te: null });

    const parts = [Buffer.from("first "), Buffer.alloc(100_000, "y"), Buffer.from(" last")];
    const chunked = await request(`${url}/upload`, {
      method: "POST",
      body: Readable.from(parts),
    });
    expect(await chunked.body.json()).toMatchObject({
      bytes: 100_011,
      sha: sha(Buffer.concat(parts)),
      te: "chunked",
    });
  });

  it("passes a chunked answer on chunked to HTTP/1.1 clients and until close to HTTP/1.0 clients", async () => {
    const { port } = await proxyTo(cleanups, [await app()]);
    const v11 = await rawExchange(cleanups, port, http11("/chunked"), (t) => t.endsWith("0\r\n\r\n"));
    expect(v11.text).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(v11.text).toMatch(/transfer-encoding: chunked\r\n/i);
    expect(v11.text).toMatch(/part one, \r\n.*\r\npart two\r\n0\r\n\r\n$/s);
    const v10 = await rawExchange(cleanups, port, "GET /chunked HTTP/1.0\r\n\r\n");
    expect(v10.closed).toBe(true);
    expect(v10.text).toMatch(/connection: close\r\n/i);
    expect(v10.text).not.toMatch(/transfer-encoding/i);
    expect(v10.text.endsWith("\r\n\r\npart one, part two")).toBe(true);
  });

  it("answers HEAD and 204 without a body and keeps the connection for the next request", async () => {
    const { port } = await proxyTo(cleanups, [await app()]);
    const wire = `HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n${http11("/no-content")}${http11("/after")}`;
    const { text, closed } = await rawExchange(cleanups, port, wire, (t) => t.includes('"url":"/after"'));
    expect(closed).toBe(false);
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(3);
    expect(answers[0]).toMatch(/^HTTP\/1.1 200 OK\r\n(.*\r\n)*content-length: \d+\r\n(.*\r\n)*\r\n$/i);
    expect(answers[1]).toMatch(/^HTTP\/1.1 204 No Content\r\n(.*\r\n)*\r\n$/);
    expect(answers[2]).toMatch(/"url":"\/after"/);
  });

  it("answers pipelined requests in order", async () => {
    const { port } = await proxyTo(cleanups, [await app()]);
    const paths = ["/1", "/2", "/3", "/4", "/5"];
    const wire = paths.map((p) => http11(p)).join("");
    const { text } = await rawExchange(cleanups, port, wire, (t) => t.includes('"url":"/5"'));
    expect([...text.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1])).toEqual(paths);
  });

  it("sends 100 Continue itself, then forwards the body", async () => {
    const { port } = await proxyTo(cleanups, [await app()]);
    const client = await rawClient(cleanups, port);
    client.socket.write("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    expect(await client.until((t) => t.includes("100 Continue"))).toBe("HTTP/1.1 100 Continue\r\n\r\n");
    client.socket.write("hello");
    const text = await client.until((t) => t.includes('"url":"/e"'));
    expect(text).toContain(`"bytes":5,"sha":"${sha(Buffer.from("hello"))}"`);
  });

  it.each([
    ["a malformed request line", 400, "GARBAGE\r\n\r\n"],
    [
      "Content-Length with chunked",
      400,
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    ],
    ["a head over 16 KB", 431, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${"a".repeat(17_000)}\r\n\r\n`],
    ["a malformed chunk", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
    [
      "an empty chunk extension (2;)",
      400,
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;\r\naa\r\n0\r\n\r\n",
    ],
    // Bare-LF line endings can never end a head (CRLFCRLF): refused at once, not at the head timeout.
    ["a head with bare-LF line endings", 400, "GET / HTTP/1.1\nHost: a\n\n"],
    ["a head with one bare-LF line", 400, "GET / HTTP/1.1\r\nHost: a\nX-A: 1\r\n"],
    ["an absolute-form target with user info", 400, "GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n"],
  ])("answers %s with %i and closes the connection", async (_name, status, wire) => {
    let reached = 0;
    const counting = createHttpServer((_req, res) => {
      reached++;
      res.end("ok");
    });
    const { port } = await proxyTo(cleanups, [await listen(cleanups, counting)]);
    const { text, closed } = await rawExchange(cleanups, port, wire);
    expect(text).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(text).toMatch(/connection: close\r\n/);
    expect(closed).toBe(true);
    if (status !== 400 || !wire.includes("zz")) expect(reached).toBe(0);
  });

  it("turns a close-delimited answer from the app into a chunked one, keeping the client connection", async () => {
    const raw = createTcpServer((socket) => {
      socket.once("data", () =>
        socket.end("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end"),
      );
      socket.on("error", () => undefined);
    });
    const { port } = await proxyTo(cleanups, [await listen(cleanups, raw)]);
    const { text, closed } = await rawExchange(cleanups, port, http11("/"), (t) => t.endsWith("0\r\n\r\n"));
    expect(closed).toBe(false);
    expect(text).toMatch(/transfer-encoding: chunked\r\n/);
    expect(text).toMatch(/\r\nd\r\nuntil the end\r\n0\r\n\r\n$/);
  });

  it("answers 502 when the app breaks HTTP, and the client connection still works", async () => {
    const broken = createTcpServer((socket) => {
      socket.once("data", () =>
        socket.end("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
      );
      socket.on("error", () => undefined);
    });
    const { url } = await proxyTo(cleanups, [await listen(cleanups, broken)]);
    const res = await request(`${url}/`);
    expect(res.statusCode).toBe(502);
    expect(await res.body.text()).toMatch(/app did not answer: conflicting Content-Length/);
  });

  it("passes a large answer through with backpressure", async () => {
    const { url } = await proxyTo(cleanups, [await app()]);
    const res = await request(`${url}/big`);
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(body.length).toBe(3 * 1024 * 1024);
    expect(sha(body)).toBe(sha(Buffer.alloc(3 * 1024 * 1024, "b")));
  });

  it("answers 408 to a pipelined request whose head stops half way, as to any slow head", async () => {
    const { port } = await proxyTo(cleanups, [await app()], { headMs: 150, sweepMs: 25 });
    const wire = `${http11("/first")}GET /second HTTP/1.1\r\nHo`;
    const { text, closed } = await rawExchange(cleanups, port, wire, () => false, 5_000);
    expect(text).toMatch(/"url":"\/first"/);
    expect(text).toMatch(/HTTP\/1.1 408 Request Timeout\r\n/);
    expect(closed).toBe(true);
  });

  it("reads a request whose leading empty line is split over two writes", async () => {
    const { port } = await proxyTo(cleanups, [await app()]);
    const client = await rawClient(cleanups, port);
    await new Promise((resolve) => client.socket.write("\r", resolve));
    client.socket.write(`\n${http11("/after-crlf")}`);
    const text = await client.until((t) => t.includes('"url":"/after-crlf"'));
    expect(text).toMatch(/^HTTP\/1.1 200 OK\r\n/);
  });

  it("closes idle connections after the idle timeout and answers 408 to a head that never completes", async () => {
    const { port } = await proxyTo(cleanups, [await app()], { idleMs: 150, headMs: 150, sweepMs: 25 });
    const idle = await rawExchange(cleanups, port, http11("/"), () => false, 2_000);
    expect(idle.text).toMatch(/"url":"\/"/);
    expect(idle.closed).toBe(true);
    const slow = await rawExchange(cleanups, port, "GET / HTTP/1.1\r\nHost: a\r\n", () => false, 2_000);
    expect(slow.text).toMatch(/^HTTP\/1.1 408 /);
    expect(slow.closed).toBe(true);
  });
});

describe("answers of the proxy's own", () => {
  it("closes the connection after answering a request whose body it did not read", async () => {
    const proxy = await proxyTo(cleanups, [await app()]);
    proxy.proxy.switch(proxy.proxy.router.get("app")!, undefined);
    const head = "POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n";
    const { text, closed } = await rawExchange(cleanups, proxy.port, head);
    expect(text).toMatch(/^HTTP\/1.1 503 Service Unavailable\r\n/);
    expect(text).toMatch(/connection: close\r\n/);
    expect(closed).toBe(true);
  });
});
