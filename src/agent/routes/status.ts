import { existsSync } from "node:fs";
import { Hono } from "hono";
import type { AppConfig } from "../../config/schema.js";
import type { Serving } from "../../deployer/serving.js";
import { deploymentKey, PRODUCTION } from "../../environments/names.js";
import type { IsolationMode } from "../../isolation/policy.js";
import { diskUsage } from "../../storage/size.js";
import type { DataDir } from "../../store/data-dir.js";
import type { Store } from "../../store/store.js";
import { VERSION } from "../../version.js";
import type { AppStatusView, StatusView } from "../api-types.js";
import { instanceViews, releaseView } from "../views.js";

async function storageView(dir: string): Promise<AppStatusView["storage"]> {
  return existsSync(dir) ? { dir, bytes: await diskUsage(dir) } : null;
}

export interface StatusRouteOptions {
  store: Store;
  serving: Serving;
  dataDir: DataDir;
  startedAt: number;
  proxyAddress: string;
  isolation: IsolationMode;
  userOf: (app: string, config: AppConfig) => string | undefined;
}

/** `GET /status`: the agent, and every deployment with its live and warm releases (`skiff status`). */
export function statusRoutes(options: StatusRouteOptions): Hono {
  const routes = new Hono();
  routes.get("/status", async (c) => c.json(await status(options, Date.now())));
  return routes;
}

async function status(options: StatusRouteOptions, now: number): Promise<StatusView> {
  const { store, serving } = options;
  // Every app's production deployment, and every other environment or preview that has a live release.
  const deployments = new Map<string, { app: string; env: string }>();
  for (const app of store.releases.apps()) deployments.set(app, { app, env: PRODUCTION });
  for (const r of store.releases.allLive())
    deployments.set(deploymentKey(r.app, r.env), { app: r.app, env: r.env });
  return {
    agent: {
      version: VERSION,
      pid: process.pid,
      startedAt: new Date(options.startedAt).toISOString(),
      uptimeMs: now - options.startedAt,
      dataDir: options.dataDir.root,
      proxy: options.proxyAddress,
      isolation: options.isolation,
    },
    apps: await Promise.all(
      [...deployments]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(async ([key, { app, env }]): Promise<AppStatusView> => {
          const live = store.releases.live(app, env);
          const active = serving.live(key);
          const lease = store.leases.get(app);
          return {
            app,
            env,
            hosts: live?.config.hosts ?? [],
            live: live ? releaseView(live) : null,
            instances: active ? instanceViews(active.group) : [],
            warm: serving.warm(key).map(({ group, until }) => ({
              release: group.artifact,
              until: new Date(until).toISOString(),
              instances: instanceViews(group),
            })),
            traffic: active ? { ...active.lb.counts, inflight: active.lb.inflight } : null,
            deploying:
              lease && lease.expiresAt > now
                ? { operation: lease.operation, who: lease.who, since: new Date(lease.since).toISOString() }
                : null,
            storage: await storageView(options.dataDir.storageDir(app, env)),
            user: live ? (options.userOf(app, live.config) ?? null) : null,
          };
        }),
    ),
  };
}
