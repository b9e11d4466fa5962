import { afterEach, describe, expect, it } from "vitest";
import type { HttpExpectation, MonitorTarget } from "./config.js";
import { Prober } from "./prober.js";
import { closedPort, makeCert, startHttp, startHttps, type TestServer } from "./test-support/servers.js";

const NO_EXPECT: HttpExpectation = { status: undefined, bodyContains: undefined, maxLatencyMs: undefined };
const http = (url: string, expect: Partial<HttpExpectation> = {}): MonitorTarget => ({
  kind: "http",
  url,
  expect: { ...NO_EXPECT, ...expect },
});

let servers: TestServer[] = [];
let prober: Prober | undefined;

afterEach(async () => {
  await prober?.close();
  prober = undefined;
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(status: number, body: string, delayMs = 0): Promise<TestServer> {
  const server = await startHttp((_req, res) => {
    setTimeout(() => res.writeHead(status, { "content-type": "text/plain" }).end(body), delayMs);
  });
  servers.push(server);
  return server;
}

describe("http probe", () => {
  it.each([
    [200, "ok", {}, true, undefined],
    [302, "", {}, true, undefined],
    [500, "boom", {}, false, "status 500 (expected 2xx or 3xx)"],
    [204, "", { status: 200 }, false, "status 204 (expected 200)"],
    [200, "<h1>Welcome</h1>", { bodyContains: "Welcome" }, true, undefined],
    [200, "<h1>Maintenance</h1>", { bodyContains: "Welcome" }, false, 'body does not contain "Welcome"'],
  ])("status %d body %j expect %j → ok %s", async (status, body, expectation, ok, error) => {
    const server = await serve(status, body);
    prober = new Prober();
    const result = await prober.run(http(`${server.url}/health`, expectation), 2000);
    expect(result.ok).toBe(ok);
    expect(result.error).toBe(error);
    expect(result.latencyMs).toBeGreaterThan(0);
  });

  it("fails a response slower than max_latency", async () => {
    const server = await serve(200, "ok", 150);
    prober = new Prober();
    const result = await prober.run(http(server.url, { maxLatencyMs: 50 }), 2000);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^took \d+ms \(limit 50ms\)$/);
  });

  it("times out a server that does not answer", async () => {
    const server = await serve(200, "late", 1000);
    prober = new Prober();
    const result = await prober.run(http(server.url), 200);
    expect(result).toMatchObject({ ok: false, error: "timed out after 200ms" });
    expect(result.latencyMs).toBeLessThan(900);
  });

  it("reports a refused connection", async () => {
    const port = await closedPort();
    prober = new Prober();
    const result = await prober.run(http(`http://127.0.0.1:${port}/`), 2000);
    expect(result.ok).toBe(false);
    expect(result.error).toContain("ECONNREFUSED");
  });

  it("sends a check again when the kept-alive connection it reused was closed by the server", async () => {
    let requests = 0;
    const connections = new Set<unknown>();
    const server = await startHttp((req, res) => {
      requests++;
      const first = !connections.has(req.socket);
      connections.add(req.socket);
      // The second request on a connection meets a server that already let it go.
      if (first) res.end("ok");
      else req.socket.destroy();
    });
    servers.push(server);
    prober = new Prober();
    for (let i = 0; i < 6; i++) {
      expect(await prober.run(http(`${server.url}/`), 2000)).toMatchObject({ ok: true });
    }
    // Some checks went out on a reused connection, met the closed socket, and were sent again.
    expect(requests).toBeGreaterThan(6);
    expect(requests - connections.size).toBe(requests - 6);
  });

  it("reports a server that resets every connection", async () => {
    const server = await startHttp((req) => req.socket.destroy());
    servers.push(server);
    prober = new Prober();
    const result = await prober.run(http(`${server.url}/`), 2000);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/other side closed|ECONNRESET|socket hang up/);
  });

  it("checks https with a trusted CA and fails an untrusted one", async () => {
    const cert = await makeCert(30);
    const server = await startHttps(cert, (_req, res) => res.end("secure"));
    servers.push(server);
    prober = new Prober({ ca: cert.cert });
    expect(await prober.run(http(server.url, { bodyContains: "secure" }), 2000)).toMatchObject({ ok: true });
    await prober.close();
    prober = new Prober();
    const untrusted = await prober.run(http(server.url), 2000);
    expect(untrusted.ok).toBe(false);
    expect(untrusted.error).toMatch(/self.signed/i);
  });
});

describe("tcp probe", () => {
  it("passes on an open port and fails on a closed one", async () => {
    const server = await serve(200, "");
    prober = new Prober();
    expect(await prober.run({ kind: "tcp", host: "127.0.0.1", port: server.port }, 1000)).toMatchObject({
      ok: true,
    });
    const port = await closedPort();
    const closed = await prober.run({ kind: "tcp", host: "127.0.0.1", port }, 1000);
    expect(closed.ok).toBe(false);
    expect(closed.error).toContain("ECONNREFUSED");
  });
});

describe("tls probe", () => {
  const DAY = 86_400_000;
  const tls = (port: number, expiresWithinDays: number): MonitorTarget => ({
    kind: "tls",
    host: "127.0.0.1",
    port,
    expiresWithinMs: expiresWithinDays * DAY,
  });

  async function serveCert(toDays: number, fromDays?: number) {
    const cert = await makeCert(toDays, fromDays);
    const server = await startHttps(cert, (_req, res) => res.end());
    servers.push(server);
    return { cert, server };
  }

  it("passes a trusted certificate far from expiry and reports when it expires", async () => {
    const { cert, server } = await serveCert(30);
    prober = new Prober({ ca: cert.cert });
    const result = await prober.run(tls(server.port, 14), 2000);
    expect(result.ok).toBe(true);
    const left = Date.parse(result.certExpiresAt!) - Date.now();
    expect(left).toBeGreaterThan(29 * DAY);
    expect(left).toBeLessThan(31 * DAY);
  });

  it("fails a certificate that expires within the window", async () => {
    const { cert, server } = await serveCert(5.5);
    prober = new Prober({ ca: cert.cert });
    const result = await prober.run(tls(server.port, 14), 2000);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^certificate expires in 5 days \(\d{4}-/);
  });

  it("fails an expired certificate", async () => {
    const { cert, server } = await serveCert(-1, -10);
    prober = new Prober({ ca: cert.cert });
    const result = await prober.run(tls(server.port, 14), 2000);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^certificate expired on \d{4}-/);
  });

  it("fails a certificate nobody vouches for", async () => {
    const { server } = await serveCert(30);
    prober = new Prober();
    const result = await prober.run(tls(server.port, 14), 2000);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^certificate not trusted: .*self.signed/i);
  });

  it("reports a refused connection", async () => {
    prober = new Prober();
    const result = await prober.run(tls(await closedPort(), 14), 1000);
    expect(result.ok).toBe(false);
    expect(result.error).toContain("ECONNREFUSED");
  });
});
