import { Registry } from "prom-client";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { backend, proxyTo, rawExchange, useCleanups } from "../test-support/proxy.js";
import { registerProxyMetrics } from "./proxy-metrics.js";

const cleanups = useCleanups();

describe("proxy metrics", () => {
  it("show each live release's connections, its cap and the clients given up on", async () => {
    const { url, port, proxy } = await proxyTo(cleanups, [await backend(cleanups, "a")], {
      headMs: 50,
      sweepMs: 10,
      upstreamConnections: 7,
    });
    const registry = new Registry();
    registerProxyMetrics(registry, proxy);
    await (await request(`${url}/`)).body.text();
    const slow = await rawExchange(cleanups, port, "GET / HTTP/1.1\r\nHost: a\r\n");
    expect(slow.text).toMatch(/^HTTP\/1.1 408 /);

    const text = await registry.metrics();
    expect(text).toContain(
      'skiff_upstream_connections{app="app",env="production",release="r1",state="idle"} 1',
    );
    expect(text).toContain(
      'skiff_upstream_connections{app="app",env="production",release="r1",state="working"} 0',
    );
    expect(text).toContain('skiff_upstream_connections_max{app="app",env="production",release="r1"} 7');
    expect(text).toContain('skiff_upstream_waiting_requests{app="app",env="production",release="r1"} 0');
    expect(text).toContain('skiff_upstream_waited_total{app="app",env="production",release="r1"} 0');
    expect(text).toContain('skiff_proxy_slow_clients_total{reason="head"} 1');
    expect(text).toContain('skiff_proxy_slow_clients_total{reason="send"} 0');
  });
});
