import type Docker from "dockerode";
import { removeContainer, stopContainer } from "./container.js";
import { LABEL, labelFilters } from "./labels.js";

/** A container the engine lists with this agent's labels. */
export interface SkiffContainer {
  id: string;
  name: string;
  app: string;
  release: string | undefined;
  instance: string | undefined;
  process: string | undefined;
  accessory: string | undefined;
  env: string | undefined;
  running: boolean;
  /** The host port its first published port is bound to on 127.0.0.1. */
  hostPort: number | undefined;
}

/** This agent's containers (all, or one app's), running or not, read from their labels. */
export async function listSkiffContainers(
  docker: Docker,
  agent: string,
  filter: { app?: string } = {},
): Promise<SkiffContainer[]> {
  const labels: Record<string, string> = {
    [LABEL.agent]: agent,
    ...(filter.app ? { [LABEL.app]: filter.app } : {}),
  };
  const list = await docker.listContainers({ all: true, filters: labelFilters(labels) });
  return list.map(fromSummary);
}

export function fromSummary(summary: Docker.ContainerInfo): SkiffContainer {
  const labels = summary.Labels ?? {};
  const published = (summary.Ports ?? []).find(
    (p) => p.PublicPort && (p.IP === "127.0.0.1" || p.IP === undefined),
  );
  return {
    id: summary.Id,
    name: (summary.Names?.[0] ?? "").replace(/^\//, ""),
    app: labels[LABEL.app] ?? "",
    release: labels[LABEL.release],
    instance: labels[LABEL.instance],
    process: labels[LABEL.process],
    accessory: labels[LABEL.accessory],
    env: labels[LABEL.env],
    running: summary.State === "running",
    hostPort: published?.PublicPort,
  };
}

export interface ReconcilePlan {
  /** Recorded in the ledger as running by the agent that crashed: stopped, as its host processes are. */
  leftBehind: SkiffContainer[];
  /**
   * Never recorded (the agent died between creating the container and writing the ledger) or recorded as
   * stopped: nothing can serve from them, so they are removed.
   */
  orphans: SkiffContainer[];
  /** Accessories outlive the agent by design and are left alone. */
  accessories: SkiffContainer[];
}

/**
 * What to do with this agent's containers when it starts, given the instance ids the ledger records as
 * running. Pure. Today every app container is removed, as host processes left behind are stopped: the
 * deployer's recovery then starts the live release afresh, so nothing runs twice. (Adopting a healthy
 * running container instead is possible with the same plan: `leftBehind` are the candidates.)
 */
export function reconcilePlan(
  containers: SkiffContainer[],
  recordedRunning: ReadonlySet<string>,
): ReconcilePlan {
  const plan: ReconcilePlan = { leftBehind: [], orphans: [], accessories: [] };
  for (const container of containers) {
    if (container.accessory !== undefined) plan.accessories.push(container);
    else if (container.instance !== undefined && recordedRunning.has(container.instance))
      plan.leftBehind.push(container);
    else plan.orphans.push(container);
  }
  return plan;
}

/** Stops (SIGTERM, then SIGKILL after `stopTimeoutMs`) and removes every app container of the plan. */
export async function applyReconcilePlan(
  docker: Docker,
  plan: ReconcilePlan,
  stopTimeoutMs: number,
): Promise<number> {
  const doomed = [...plan.leftBehind, ...plan.orphans];
  await Promise.all(
    doomed.map(async (c) => {
      const container = docker.getContainer(c.id);
      if (c.running) await stopContainer(container, stopTimeoutMs);
      await removeContainer(container);
    }),
  );
  return doomed.length;
}
