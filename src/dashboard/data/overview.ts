import type { InstanceView, ReleaseView } from "../../agent/api-types.js";
import { instanceViews, releaseView } from "../../agent/views.js";
import { deploymentKey, PRODUCTION } from "../../environments/names.js";
import type { DashboardDeps } from "../deps.js";

/** One row of the first page: a deployment (an app in one environment) at a glance. */
export interface DeploymentSummary {
  app: string;
  env: string;
  hosts: string[];
  live: ReleaseView | null;
  instances: InstanceView[];
  health: Health;
  /** The app's newest release in any environment, whatever became of it. */
  lastDeploy: ReleaseView | null;
  openIncidents: number;
  /** An operation holding the app's lease right now. */
  deploying: Running;
}

export type Health = "healthy" | "degraded" | "down" | "none";

export type Running = { operation: string; who: string; since: number } | null;

/** The operation holding the app's lease now (a deploy, rollback or promote), if any. */
export function running(deps: DashboardDeps, app: string, now: number): Running {
  const lease = deps.store.leases.get(app);
  return lease && lease.expiresAt > now
    ? { operation: lease.operation, who: lease.who, since: lease.since }
    : null;
}

/** Pure: a deployment's health from its live instances. */
export function healthOf(instances: Array<Pick<InstanceView, "healthy">>): Health {
  if (instances.length === 0) return "none";
  const healthy = instances.filter((i) => i.healthy).length;
  return healthy === instances.length ? "healthy" : healthy === 0 ? "down" : "degraded";
}

/**
 * Every app's production deployment, and every other environment with a live release, sorted by app.
 * A handful of queries whatever the size of the ledger: live releases, each app's newest release, open
 * incidents per app (bench/dashboard.ts measures it).
 */
export function overview(deps: DashboardDeps, now: number): DeploymentSummary[] {
  const { store, serving } = deps;
  const newest = store.releases.newestPerApp();
  const incidents = store.incidents.openByApp();
  const live = new Map(store.releases.allLive().map((r) => [deploymentKey(r.app, r.env), r]));
  const keys = new Map<string, { app: string; env: string }>();
  for (const app of [...newest.keys()].sort())
    keys.set(deploymentKey(app, PRODUCTION), { app, env: PRODUCTION });
  for (const r of live.values()) keys.set(deploymentKey(r.app, r.env), { app: r.app, env: r.env });
  return [...keys]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, { app, env }]) => {
      const release = live.get(key);
      const active = serving.live(key);
      const instances = active ? instanceViews(active.group) : [];
      const last = newest.get(app);
      return {
        app,
        env,
        hosts: release?.config.hosts ?? [],
        live: release ? releaseView(release) : null,
        instances,
        health: healthOf(instances),
        lastDeploy: last ? releaseView(last) : null,
        openIncidents: env === PRODUCTION ? (incidents.get(app) ?? 0) : 0,
        deploying: running(deps, app, now),
      };
    });
}
