import { existsSync } from "node:fs";
import type { InstanceView, ReleaseView } from "../../agent/api-types.js";
import { instanceViews, releaseView } from "../../agent/views.js";
import { chooseRollbackTarget } from "../../deployer/rollback-target.js";
import { deploymentKey, PRODUCTION } from "../../environments/names.js";
import type { EventRecord } from "../../store/events.js";
import type { Release } from "../../store/releases.js";
import type { DashboardDeps } from "../deps.js";
import { type Health, healthOf, type Running, running } from "./overview.js";

export const TIMELINE_PAGE = 25;

export interface StepView {
  name: string;
  ok: boolean;
  at: number;
  durationMs: number | null;
  message: string | null;
}

export interface TimelineRow {
  release: ReleaseView;
  steps: StepView[];
  /** Whether a rollback to this release is possible now, and how fast: warm (a switch) or cold (a start). */
  rollback: "warm" | "cold" | null;
}

export interface AppState {
  app: string;
  env: string;
  /** production, the configured environments, and any other environment with a live release. */
  environments: string[];
  hosts: string[];
  live: ReleaseView | null;
  instances: InstanceView[];
  health: Health;
  warm: Array<{ release: string; until: number; instances: number }>;
  traffic: { requests: number; errors5xx: number; failed: number; inflight: number } | null;
  deploying: Running;
  /** Where this environment's live release can be promoted to. */
  promoteTo: string[];
  /** The release `skiff rollback` would put back, when there is one. */
  defaultRollback: string | null;
}

export function appState(deps: DashboardDeps, app: string, env: string, now: number): AppState {
  const { store, serving } = deps;
  const key = deploymentKey(app, env);
  const live = store.releases.live(app, env);
  const active = serving.live(key);
  const instances = active ? instanceViews(active.group) : [];
  const configured = Object.keys(store.apps.config(app)?.environments ?? {});
  const lived = store.releases
    .allLive()
    .filter((r) => r.app === app)
    .map((r) => r.env);
  const environments = [...new Set([PRODUCTION, ...configured, ...lived, env])];
  // The target is nearly always among the last few releases: read more only when it is not.
  const choose = (limit: number) =>
    live ? chooseRollbackTarget(store.releases.page(app, { env, limit }), live) : undefined;
  const first = choose(20);
  const target = first?.ok === false ? choose(1000) : first;
  return {
    app,
    env,
    environments,
    hosts: live?.config.hosts ?? [],
    live: live ? releaseView(live) : null,
    instances,
    health: healthOf(instances),
    warm: serving.warm(key).map(({ group, until }) => ({
      release: group.artifact,
      until,
      instances: group.instances.length,
    })),
    traffic: active ? { ...active.lb.counts, inflight: active.lb.inflight } : null,
    deploying: running(deps, app, now),
    promoteTo: live ? [PRODUCTION, ...configured].filter((to) => to !== env) : [],
    defaultRollback: target?.ok ? target.release.id : null,
  };
}

/** One page of an environment's release history, newest first, each release with its deploy steps. */
export function timeline(
  deps: DashboardDeps,
  app: string,
  env: string,
  page: number,
): { rows: TimelineRow[]; total: number } {
  const { store } = deps;
  const releases = store.releases.page(app, {
    env,
    limit: TIMELINE_PAGE,
    offset: (page - 1) * TIMELINE_PAGE,
  });
  const steps = stepsByRelease(
    store.events.forReleases(
      app,
      releases.map((r) => r.id),
    ),
  );
  const live = store.releases.live(app, env);
  return {
    rows: releases.map((release) => ({
      release: releaseView(release),
      steps: steps.get(release.id) ?? [],
      rollback: rollbackKind(deps, release, live),
    })),
    total: store.releases.count(app, env),
  };
}

/**
 * Whether `release` can be rolled back to from `live`, by the deployer's own rule, and only while it is
 * kept: still warm, or its files not yet pruned.
 */
export function rollbackKind(
  deps: DashboardDeps,
  release: Release,
  live: Release | undefined,
): "warm" | "cold" | null {
  if (!live || release.env !== live.env) return null;
  if (!chooseRollbackTarget([release], live, release.id).ok) return null;
  const warm = deps.serving
    .warm(deploymentKey(release.app, release.env))
    .some(({ group }) => group.artifact === release.artifact);
  if (warm) return "warm";
  return existsSync(deps.dataDir.releaseDir(release.app, release.artifact)) ? "cold" : null;
}

export function stepsByRelease(events: EventRecord[]): Map<string, StepView[]> {
  const byRelease = new Map<string, StepView[]>();
  for (const event of events) {
    if (event.kind !== "step" || event.release === null) continue;
    const list = byRelease.get(event.release) ?? [];
    list.push({
      name: event.name,
      ok: event.ok,
      at: event.at,
      durationMs: event.durationMs,
      message: event.message,
    });
    byRelease.set(event.release, list);
  }
  return byRelease;
}
