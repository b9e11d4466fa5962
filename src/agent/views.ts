import type { InstanceGroup } from "../runtime/instance-group.js";
import type { EventRecord } from "../store/events.js";
import type { Release } from "../store/releases.js";
import type { DrainView, InstanceView, ReleaseView } from "./api-types.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function releaseView(release: Release): ReleaseView {
  return {
    app: release.app,
    id: release.id,
    env: release.env,
    artifact: release.artifact,
    trigger: release.trigger,
    status: release.status,
    live: release.status === "live",
    reason: release.reason,
    version: release.version,
    commit: release.commit && { ...release.commit, time: iso(release.commit.time || null) },
    deployedBy: release.deployedBy,
    rollbackOf: release.rollbackOf,
    startedAt: new Date(release.createdAt).toISOString(),
    finishedAt: iso(release.finishedAt),
    liveAt: iso(release.liveAt),
    endedAt: iso(release.endedAt),
    durationMs: release.finishedAt === null ? null : release.finishedAt - release.createdAt,
    // A rollback brings back an old change; only deploys and promotes deliver a change.
    leadTimeMs:
      release.liveAt !== null && release.commit?.time && !release.trigger.includes("rollback")
        ? release.liveAt - release.commit.time
        : null,
  };
}

/**
 * Pure. A release's drain, from its `drained` step in the ledger, or `draining` while the deployer
 * still drains in the background (a rollback that already answered); null when neither.
 */
export function drainView(drained: EventRecord | undefined, draining: boolean): DrainView | null {
  if (drained)
    return {
      state: drained.ok ? "drained" : "cut-off",
      message: drained.message,
      at: new Date(drained.at).toISOString(),
      durationMs: drained.durationMs,
    };
  return draining ? { state: "draining", message: null, at: null, durationMs: null } : null;
}

export function instanceViews(group: InstanceGroup): InstanceView[] {
  const now = Date.now();
  return group.instances.map((i) => {
    const up = i.state === "running" || i.state === "starting";
    return {
      process: i.process,
      index: i.idx,
      pid: up ? (i.pid ?? null) : null,
      port: i.port ?? null,
      state: i.state,
      healthy: i.healthy,
      restarts: i.restarts,
      startedAt: up ? new Date(i.startedAt).toISOString() : null,
      uptimeMs: up ? now - i.startedAt : null,
    };
  });
}
