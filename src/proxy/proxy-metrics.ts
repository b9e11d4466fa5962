import { Counter, Gauge, type Registry } from "prom-client";
import type { SlowClient } from "./client-connection.js";
import type { ProxyServer } from "./proxy.js";
import type { PoolStats } from "./upstream-pool.js";

/** One live release and its instances' pool figures. */
export interface ReleasePools {
  app: string;
  env: string;
  release: string;
  pools: PoolStats[];
}

/**
 * How full the proxy's connections to the apps are, and the clients it gave up on, in /metrics. Read
 * from the proxy when scraped (nothing is counted on the request path for it):
 *
 *   skiff_upstream_connections{app,env,release,state}   working | stalled (waiting on its own client) | idle
 *   skiff_upstream_connections_max{app,env,release}     the cap on working connections, all instances
 *   skiff_upstream_waiting_requests{app,env,release}    requests waiting for a connection now
 *   skiff_upstream_waited_total{app,env,release}        requests that had to wait (the pool was full)
 *   skiff_upstream_reclaimed_total{app,env,release}     connections taken back from stalled clients
 *   skiff_proxy_slow_clients_total{reason}              clients cut off: head, body or send too slow
 */
export function registerProxyMetrics(registry: Registry, proxy: ProxyServer): void {
  const registers = [registry];
  const labelNames = ["app", "env", "release"] as const;
  new Gauge({
    name: "skiff_upstream_connections",
    help: "Open connections from the proxy to each live release's instances, by state: working for the app, stalled on a slow client, idle.",
    labelNames: [...labelNames, "state"],
    registers,
    collect() {
      this.reset();
      for (const release of livePools(proxy)) {
        const { app, env } = release;
        const sum = (pick: (p: PoolStats) => number) => release.pools.reduce((n, p) => n + pick(p), 0);
        const stalled = sum((p) => p.stalled);
        const idle = sum((p) => p.idle);
        const base = { app, env, release: release.release };
        this.set({ ...base, state: "working" }, sum((p) => p.open) - stalled - idle);
        this.set({ ...base, state: "stalled" }, stalled);
        this.set({ ...base, state: "idle" }, idle);
      }
    },
  });
  /** One series per live release: `pick` summed over its instances' pools. */
  const series = (pick: (p: PoolStats) => number) =>
    livePools(proxy).map(({ app, env, release, pools }) => ({
      labels: { app, env, release },
      value: pools.reduce((n, p) => n + pick(p), 0),
    }));
  const gauge = (pick: (p: PoolStats) => number) =>
    function (this: Gauge<(typeof labelNames)[number]>) {
      this.reset();
      for (const { labels, value } of series(pick)) this.set(labels, value);
    };
  const counter = (pick: (p: PoolStats) => number) =>
    function (this: Counter<(typeof labelNames)[number]>) {
      this.reset();
      for (const { labels, value } of series(pick)) this.inc(labels, value);
    };
  new Gauge({
    name: "skiff_upstream_connections_max",
    help: "The cap on connections working for each live release at once, all its instances together.",
    labelNames,
    registers,
    collect: gauge((p) => p.max),
  });
  new Gauge({
    name: "skiff_upstream_waiting_requests",
    help: "Requests waiting for a connection to their app because every connection is working.",
    labelNames,
    registers,
    collect: gauge((p) => p.waiting),
  });
  new Counter({
    name: "skiff_upstream_waited_total",
    help: "Requests that had to wait for a connection to their app (the pool was full), per live release.",
    labelNames,
    registers,
    collect: counter((p) => p.waited),
  });
  new Counter({
    name: "skiff_upstream_reclaimed_total",
    help: "Connections taken back from clients that stalled them, so that stalled ones stay bounded.",
    labelNames,
    registers,
    collect: counter((p) => p.reclaimed),
  });
  new Counter({
    name: "skiff_proxy_slow_clients_total",
    help: "Clients the proxy gave up on: a head or a body too slow to arrive (408), or an answer not read (closed).",
    labelNames: ["reason"],
    registers,
    collect() {
      this.reset();
      for (const reason of Object.keys(proxy.slowClients) as SlowClient[]) {
        this.inc({ reason }, proxy.slowClients[reason]);
      }
    },
  });
}

/** The live release of every route and its instances' pool figures. */
export function livePools(proxy: ProxyServer): ReleasePools[] {
  const out: ReleasePools[] = [];
  for (const route of proxy.router.all()) {
    const lb = route.live;
    if (!lb) continue;
    // A route is named by its deployment key: `app` for production, `app/env` for the others.
    const slash = route.app.indexOf("/");
    out.push({
      app: slash === -1 ? route.app : route.app.slice(0, slash),
      env: slash === -1 ? "production" : route.app.slice(slash + 1),
      release: lb.release,
      pools: lb.targets.map((t) => t.pool.stats()),
    });
  }
  return out;
}
