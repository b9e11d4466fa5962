import type { Logger } from "pino";
import { isDeploymentOf } from "../environments/names.js";
import { LoadBalancer } from "../proxy/load-balancer.js";
import type { ProxyServer } from "../proxy/proxy.js";
import type { Route } from "../proxy/router.js";
import { Target } from "../proxy/target.js";
import type { InstanceGroup } from "../runtime/instance-group.js";
import type { Runtime } from "../runtime/runtime.js";

/** The release serving one deployment: its processes and the load balancer the proxy sends traffic to. */
export interface Active {
  release: string;
  group: InstanceGroup;
  lb: LoadBalancer;
}

interface Deployment {
  route: Route;
  live: Active | undefined;
  /** Replaced releases kept running for instant rollback, by artifact. */
  warm: Map<string, { group: InstanceGroup; timer: NodeJS.Timeout }>;
}

/** Makes the per-request hook of one release (metrics, the post-deploy watch). */
export type RequestObserver = (
  app: string,
  key: string,
  release: string,
) => (status: number, ms: number) => void;

/**
 * Which release serves each deployment and which stay warm: the bridge between the runtime's processes
 * and the proxy's routes. `switchTo` is the moment of truth: one assignment, and every new request goes
 * to the new release.
 */
export class Serving {
  private readonly deployments = new Map<string, Deployment>();
  private observer: RequestObserver | undefined;

  constructor(
    private readonly proxy: ProxyServer,
    private readonly runtime: Pick<Runtime, "retire">,
    private readonly logger: Logger,
  ) {}

  /** Who hears about each answered request of the releases switched in from now on. */
  observeRequests(observer: RequestObserver): void {
    this.observer = observer;
  }

  /** Why `key` cannot take these hosts (another deployment owns one), or undefined. */
  routeConflict(key: string, hosts: string[]): string | undefined {
    return this.proxy.router.conflict(key, hosts);
  }

  /** Routes `key` by `hosts`; requests get 503 until a release is switched in. */
  route(key: string, hosts: string[]): Deployment {
    const route = this.proxy.router.set(key, hosts);
    let deployment = this.deployments.get(key);
    if (!deployment) {
      deployment = { route, live: undefined, warm: new Map() };
      this.deployments.set(key, deployment);
    }
    return deployment;
  }

  live(key: string): Active | undefined {
    return this.deployments.get(key)?.live;
  }

  warm(key: string): Array<{ group: InstanceGroup; until: number }> {
    const deployment = this.deployments.get(key);
    if (!deployment) return [];
    return [...deployment.warm.values()].map(({ group }) => ({ group, until: group.warmUntil ?? 0 }));
  }

  /** A replaced release still running, taken out of the warm set so it can go live again. */
  takeWarm(key: string, artifact: string): InstanceGroup | undefined {
    const deployment = this.deployments.get(key);
    const warm = deployment?.warm.get(artifact);
    if (!deployment || !warm) return undefined;
    clearTimeout(warm.timer);
    deployment.warm.delete(artifact);
    warm.group.warmUntil = undefined;
    return warm.group;
  }

  /**
   * Routes `key` by `hosts` and sends all its new requests to `group`, in one synchronous step; returns
   * what served before (still draining).
   */
  switchTo(key: string, hosts: string[], release: string, group: InstanceGroup): Active | undefined {
    const deployment = this.route(key, hosts);
    const targets = group.web.map(
      (instance) =>
        new Target(
          "127.0.0.1",
          instance.port ?? 0,
          () => instance.state === "running" && instance.healthy,
          () => instance.state === "running",
        ),
    );
    const next: Active = { release, group, lb: new LoadBalancer(release, targets) };
    next.lb.observe = this.observer?.(group.options.app, key, release);
    const previous = deployment.live;
    this.proxy.switch(deployment.route, next.lb);
    deployment.live = next;
    group.supervise();
    return previous;
  }

  /**
   * Lets in-flight requests to a replaced release finish, closes its connections, then keeps its
   * processes warm for `warmMs` (instant rollback) before stopping them. Resolves once drained.
   * Only the previous release stays warm: the one it replaces as the rollback target is stopped, so
   * a day of deploys does not leave a process per release running.
   */
  async retire(key: string, previous: Active, drainMs: number, warmMs: number): Promise<number> {
    // Its workers stop now, as its requests drain: two versions never work the same queue for long.
    const [left] = await Promise.all([previous.lb.drain(drainMs), this.stopOthers(previous.group)]);
    const deployment = this.deployments.get(key);
    if (!deployment || warmMs <= 0) {
      await this.runtime.retire(previous.group);
      return left;
    }
    for (const [artifact, older] of deployment.warm) {
      if (older.group === previous.group) continue;
      clearTimeout(older.timer);
      deployment.warm.delete(artifact);
      this.runtime
        .retire(older.group)
        .catch((error) => this.logger.error({ err: error }, "stopping an older warm release"));
    }
    this.keepWarm(key, previous.group, warmMs);
    return left;
  }

  /** Keeps `group` running for `warmMs` (instant rollback to it), then stops it. */
  keepWarm(key: string, group: InstanceGroup, warmMs: number): void {
    const deployment = this.deployments.get(key);
    if (!deployment) return;
    group.warmUntil = Date.now() + warmMs;
    const timer = setTimeout(() => {
      if (deployment.warm.get(group.artifact)?.group !== group) return;
      deployment.warm.delete(group.artifact);
      this.runtime
        .retire(group)
        .catch((error) => this.logger.error({ err: error }, "stopping a warm release"));
    }, warmMs);
    timer.unref();
    deployment.warm.set(group.artifact, { group, timer });
  }

  private async stopOthers(group: InstanceGroup): Promise<void> {
    try {
      await group.stopOthers();
    } catch (error) {
      this.logger.error({ err: error }, "stopping a replaced release's workers");
    }
  }

  /** Takes a deployment out of service: no route, live release drained and stopped, warm ones stopped. */
  async remove(key: string, drainMs: number): Promise<void> {
    const deployment = this.deployments.get(key);
    if (!deployment) return;
    this.deployments.delete(key);
    this.proxy.router.remove(key);
    const groups = [...deployment.warm.values()].map(({ group, timer }) => {
      clearTimeout(timer);
      return group;
    });
    if (deployment.live) {
      await deployment.live.lb.drain(drainMs);
      groups.push(deployment.live.group);
    }
    await Promise.all(groups.map((group) => this.runtime.retire(group)));
  }

  /** Artifacts of `app` with running processes (live or warm, any environment): never pruned. */
  runningArtifacts(app: string): Set<string> {
    const artifacts = new Set<string>();
    for (const [key, deployment] of this.deployments) {
      if (!isDeploymentOf(key, app)) continue;
      for (const artifact of deployment.warm.keys()) artifacts.add(artifact);
      if (deployment.live) artifacts.add(deployment.live.group.artifact);
    }
    return artifacts;
  }

  keys(): string[] {
    return [...this.deployments.keys()];
  }

  /** Agent shutdown: stop the warm timers (the runtime stops every process). */
  stop(): void {
    for (const deployment of this.deployments.values()) {
      for (const { timer } of deployment.warm.values()) clearTimeout(timer);
    }
  }
}
