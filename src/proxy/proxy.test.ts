import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { Client, request } from "undici";
import { describe, expect, it, vi } from "vitest";
import {
  backend as backendOn,
  deferred,
  listen as listenOn,
  proxyTo as proxyOn,
  rawClient,
  rawExchange,
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
    const arrived = deferred();
    const closed = deferred();
    const hanging = createHttpServer((req) => {
      arrived.resolve();
      req.on("close", () => closed.resolve());
    });
    const { url, lb } = await proxyTo(await listen(hanging));
    const controller = new AbortController();
    const pending = request(`${url}/`, { signal: controller.signal }).catch((e: Error) => e);
    await arrived.promise;
    expect(lb.inflight).toBe(1);
    controller.abort();
    await pending;
    await closed.promise;
    await vi.waitFor(() => expect(lb.inflight).toBe(0));
  });

  it("switches the next request on the same client connection, and lets in-flight ones finish", async () => {
    // The old release holds /slow until the test lets it answer: in flight across the switch, for sure.
    const slowArrived = deferred();
    const answerSlow = deferred();
    const old = createHttpServer((req, res) => {
      if (req.url === "/slow") {
        slowArrived.resolve();
        void answerSlow.promise.then(() => res.end("old slow"));
      } else {
        res.end(JSON.stringify({ name: "old" }));
      }
    });
    const { url, proxy } = await proxyTo(await listen(old));
    const route = proxy.router.get("app")!;
    const client = new Client(url, { pipelining: 1 });
    let connects = 0;
    client.on("connect", () => connects++);
    cleanups.push(() => client.close());
    const name = async (path = "/") =>
      ((await (await client.request({ path, method: "GET" })).body.json()) as { name: string }).name;
    expect(await name()).toBe("old");

    const slow = request(`${url}/slow`).then((r) => r.body.text());
    await slowArrived.promise;
    const previous = proxy.switch(
      route,
      new LoadBalancer("r2", [new Target("127.0.0.1", await backend("new"), () => true)]),
    );
    expect(await name()).toBe("new");
    expect(connects).toBe(1);
    const drained = previous!.drain(60_000);
    answerSlow.resolve();
    expect(await drained).toBe(0);
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
    const { port } = await proxyTo(await listen(upstream));
    const client = await rawClient(cleanups, port);
    client.socket.write("GET /ws HTTP/1.1\r\nhost: app.test\r\nconnection: upgrade\r\nupgrade: echo\r\n\r\n");
    await client.until((text) => text.includes("\r\n\r\n"));
    client.socket.write("hello");
    const received = await client.until((text) => text.includes("HELLO"));
    expect(received).toMatch(/^HTTP\/1.1 101/);
    expect(received).toMatch(/x-path: \/ws/);
    expect(received).toMatch(/HELLO$/);
  });

  it("sets X-Forwarded-Proto and X-Forwarded-Host from what it saw, whatever the client claimed", async () => {
    const { url } = await proxyTo(await backend("a"));
    const res = await request(`${url}/`, {
      headers: { host: "app.test", "x-forwarded-proto": "https", "x-forwarded-host": "bank.example" },
    });
    const seen = (await res.body.json()) as { headers: Record<string, string> };
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe("app.test");
  });

  it("routes an absolute-form target by its authority and gives the app origin form", async () => {
    const proxy = new ProxyServer({ host: "127.0.0.1", port: 0 });
    for (const [name, host] of [
      ["app", "app.test"],
      ["admin", "admin.test"],
    ] as const) {
      const route = proxy.router.set(name, [host]);
      proxy.switch(route, new LoadBalancer("r1", [new Target("127.0.0.1", await backend(name), () => true)]));
    }
    const { port } = await proxy.start();
    cleanups.push(() => proxy.stop(100));
    const wire = "GET http://admin.test/panel?x=1 HTTP/1.1\r\nHost: app.test\r\n\r\n";
    const { text } = await rawExchange(cleanups, port, wire, (t) => t.endsWith("0\r\n\r\n"));
    // The backend answers chunked: one chunk holding the JSON.
    const seen = JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)) as {
      name: string;
      url: string;
      headers: Record<string, string>;
    };
    expect(seen).toMatchObject({ name: "admin", url: "/panel?x=1" });
    expect(seen.headers.host).toBe("admin.test");
    expect(seen.headers["x-forwarded-host"]).toBe("admin.test");
  });

  it("spreads requests over the instances of a release", async () => {
    const { url } = await proxyTo(await backend("a"), await backend("b"));
    const names = new Set<string>();
    for (let i = 0; i < 6; i++)
      names.add(((await (await request(`${url}/`)).body.json()) as { name: string }).name);
    expect([...names].sort()).toEqual(["a", "b"]);
  });
});
