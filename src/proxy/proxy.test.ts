import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { connect, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { Client, request } from "undici";
import { describe, expect, it } from "vitest";
import {
  backend as backendOn,
  listen as listenOn,
  proxyTo as proxyOn,
  useCleanups,
} from "../test-support/proxy.js";
import { LoadBalancer } from "./load-balancer.js";
import { ProxyServer } from "./proxy.js";
import { Target } from "./target.js";

const cleanups = useCleanups();
const listen = <T extends Server | TcpServer>(server: T) => listenOn(cleanups, server);
const backend = (name: string, onRequest?: (req: IncomingMessage) => void) =>
  backendOn(cleanups, name, onRequest);
const proxyTo = (...ports: number[]) => proxyOn(cleanups, ports);

describe("ProxyServer", () => {
  it("forwards method, path, headers and body; adds X-Forwarded-*; drops hop-by-hop headers", async () => {
    const { url } = await proxyTo(await backend("a"));
    const res = await request(`${url}/path?q=1`, {
      method: "POST",
      headers: {
        host: "app.test",
        "content-type": "text/plain",
        "x-forwarded-for": "10.0.0.1",
        "proxy-authorization": "secret",
        te: "trailers",
      },
      body: "hello",
    });
    const seen = (await res.body.json()) as {
      method: string;
      url: string;
      body: string;
      headers: Record<string, string>;
    };
    expect(res.statusCode).toBe(200);
    expect(seen).toMatchObject({ method: "POST", url: "/path?q=1", body: "hello" });
    expect(seen.headers).toMatchObject({
      host: "app.test",
      "x-forwarded-for": "10.0.0.1, 127.0.0.1",
      "x-forwarded-proto": "http",
      "x-forwarded-host": "app.test",
    });
    expect(seen.headers["proxy-authorization"]).toBeUndefined();
    expect(seen.headers.te).toBeUndefined();
    expect(res.headers["x-custom"]).toBe("1");
    // The proxy's own keep-alive policy with the client, not the backend's.
    expect(res.headers["keep-alive"]).toBe("timeout=65");
  });

  it("answers 503 without a live release and 404 for an unknown host when there is no default route", async () => {
    const proxy = new ProxyServer({ host: "127.0.0.1", port: 0 });
    proxy.router.set("app", ["app.test"]);
    const { port } = await proxy.start();
    cleanups.push(() => proxy.stop(100));
    const unrouted = await request(`http://127.0.0.1:${port}/`, { headers: { host: "other.test" } });
    expect(unrouted.statusCode).toBe(404);
    expect(await unrouted.body.text()).toMatch(/no app is routed for host other.test/);
    const idle = await request(`http://127.0.0.1:${port}/`, { headers: { host: "app.test" } });
    expect(idle.statusCode).toBe(503);
    expect(await idle.body.text()).toMatch(/app has no live release/);
  });

  it("retries a request that meets a reset on a reused upstream connection before any byte came back", async () => {
    // Answers the first request on each connection, then resets the connection when the next one comes:
    // the keep-alive race a restarting or idle-closing app produces.
    let connections = 0;
    const flaky = createTcpServer((socket) => {
      connections++;
      let answered = false;
      socket.on("data", () => {
        if (answered) {
          socket.resetAndDestroy();
          return;
        }
        answered = true;
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok");
      });
      socket.on("error", () => undefined);
    });
    const { url } = await proxyTo(await listen(flaky));
    const client = new Client(url, { pipelining: 1 });
    cleanups.push(() => client.close());
    for (let i = 0; i < 20; i++) {
      const res = await client.request({
        path: "/",
        method: i % 2 === 0 ? "GET" : "POST",
        body: i % 2 === 0 ? null : "small body",
      });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe("ok");
    }
    expect(connections).toBeGreaterThan(1);
  });

  it("frees the upstream request when the client goes away", async () => {
    let closed = false;
    const hanging = createHttpServer((req) => {
      req.on("close", () => {
        closed = true;
      });
    });
    const { url, lb } = await proxyTo(await listen(hanging));
    const controller = new AbortController();
    const pending = request(`${url}/`, { signal: controller.signal }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 200));
    expect(lb.inflight).toBe(1);
    controller.abort();
    await pending;
    for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(true);
    expect(lb.inflight).toBe(0);
  });

  it("switches the next request on the same client connection, and lets in-flight ones finish", async () => {
    const { url, proxy } = await proxyTo(await backend("old"));
    const route = proxy.router.get("app")!;
    const client = new Client(url, { pipelining: 1 });
    let connects = 0;
    client.on("connect", () => connects++);
    cleanups.push(() => client.close());
    const name = async (path = "/") =>
      ((await (await client.request({ path, method: "GET" })).body.json()) as { name: string }).name;
    expect(await name()).toBe("old");

    const slow = request(`${url}/slow`).then((r) => r.body.text());
    await new Promise((r) => setTimeout(r, 100));
    const previous = proxy.switch(
      route,
      new LoadBalancer("r2", [new Target("127.0.0.1", await backend("new"), () => true)]),
    );
    expect(await name()).toBe("new");
    expect(connects).toBe(1);
    expect(await previous!.drain(2000)).toBe(0);
    expect(await slow).toBe("old slow");
  });

  it("proxies an Upgrade (WebSocket) connection both ways", async () => {
    const upstream = createHttpServer();
    upstream.on("upgrade", (req, socket) => {
      cleanups.push(() => socket.destroy());
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\nx-path: ${req.url}\r\n\r\n`,
      );
      socket.on("data", (chunk: Buffer) => socket.write(chunk.toString().toUpperCase()));
    });
    const { url } = await proxyTo(await listen(upstream));
    const socket = connect(Number(new URL(url).port), "127.0.0.1");
    cleanups.push(() => socket.destroy());
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes("\r\n\r\n") && !received.includes("HELLO")) socket.write("hello");
    });
    socket.write("GET /ws HTTP/1.1\r\nhost: app.test\r\nconnection: upgrade\r\nupgrade: echo\r\n\r\n");
    for (let i = 0; i < 100 && !received.includes("HELLO"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toMatch(/^HTTP\/1.1 101/);
    expect(received).toMatch(/x-path: \/ws/);
    expect(received).toMatch(/HELLO$/);
  });

  it("spreads requests over the instances of a release", async () => {
    const { url } = await proxyTo(await backend("a"), await backend("b"));
    const names = new Set<string>();
    for (let i = 0; i < 6; i++)
      names.add(((await (await request(`${url}/`)).body.json()) as { name: string }).name);
    expect([...names].sort()).toEqual(["a", "b"]);
  });
});
