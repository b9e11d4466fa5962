import type { Logger } from "pino";
import { LoadBalancer } from "../proxy/load-balancer.js";
import type { ProxyServer } from "../proxy/proxy.js";
import type { Route } from "../proxy/router.js";
import { Target } from "../proxy/target.js";
import type { InstanceGroup } from "../runtime/instance-group.js";
import type { Runtime } from "../runtime/runtime.js";

/** The release serving an app: its processes and the load balancer the proxy sends traffic to. */
export interface Active {
  release: string;
  group: InstanceGroup;
  lb: LoadBalancer;
}

interface AppServing {
  route: Route;
  live: Active | undefined;
  /** Replaced releases kept running for instant rollback, by artifact. */
  warm: Map<string, { group: InstanceGroup; timer: NodeJS.Timeout }>;
}

/**
 * Which release serves each app and which stay warm: the bridge between the runtime's processes and the
 * proxy's routes. `switchTo` is the moment of truth: one assignment, and every new request goes to the
 * new release.
 */
export class Serving {
  private readonly apps = new Map<string, AppServing>();

  constructor(
    private readonly proxy: ProxyServer,
    private readonly runtime: Runtime,
    private readonly logger: Logger,
  ) {}

  /** Why `app` cannot take these hosts (another app owns one), or undefined. */
  routeConflict(app: string, hosts: string[]): string | undefined {
    return this.proxy.router.conflict(app, hosts);
  }

  /** Routes `app` by `hosts`; requests get 503 until a release is switched in. */
  route(app: string, hosts: string[]): AppServing {
    const route = this.proxy.router.set(app, hosts);
    let serving = this.apps.get(app);
    if (!serving) {
      serving = { route, live: undefined, warm: new Map() };
      this.apps.set(app, serving);
    }
    return serving;
  }

  live(app: string): Active | undefined {
    return this.apps.get(app)?.live;
  }

  warm(app: string): Array<{ group: InstanceGroup; until: number }> {
    const serving = this.apps.get(app);
    if (!serving) return [];
    return [...serving.warm.values()].map(({ group }) => ({ group, until: group.warmUntil ?? 0 }));
  }

  /** A replaced release still running, taken out of the warm set so it can go live again. */
  takeWarm(app: string, artifact: string): InstanceGroup | undefined {
    const serving = this.apps.get(app);
    const warm = serving?.warm.get(artifact);
    if (!serving || !warm) return undefined;
    clearTimeout(warm.timer);
    serving.warm.delete(artifact);
    warm.group.warmUntil = undefined;
    return warm.group;
  }

  /**
   * Routes `app` by `hosts` and sends all its new requests to `group`, in one synchronous step; returns
   * what served before (still draining).
   */
  switchTo(app: string, hosts: string[], release: string, group: InstanceGroup): Active | undefined {
    const serving = this.route(app, hosts);
    const targets = group.instances.map(
      (instance) =>
        new Target(
          "127.0.0.1",
          instance.port,
          () => instance.state === "running" && instance.healthy,
          () => instance.state === "running",
        ),
    );
    const next: Active = { release, group, lb: new LoadBalancer(release, targets) };
    const previous = serving.live;
    this.proxy.switch(serving.route, next.lb);
    serving.live = next;
    group.supervise();
    return previous;
  }

  /**
   * Lets in-flight requests to a replaced release finish, closes its connections, then keeps its
   * processes warm for `warmMs` (instant rollback) before stopping them. Resolves once drained.
   */
  async retire(app: string, previous: Active, drainMs: number, warmMs: number): Promise<number> {
    const left = await previous.lb.drain(drainMs);
    const serving = this.apps.get(app);
    if (!serving || warmMs <= 0) {
      await this.runtime.retire(previous.group);
      return left;
    }
    previous.group.warmUntil = Date.now() + warmMs;
    const timer = setTimeout(() => {
      if (serving.warm.get(previous.group.artifact)?.group !== previous.group) return;
      serving.warm.delete(previous.group.artifact);
      this.runtime
        .retire(previous.group)
        .catch((error) => this.logger.error({ err: error }, "stopping a warm release"));
    }, warmMs);
    timer.unref();
    serving.warm.set(previous.group.artifact, { group: previous.group, timer });
    return left;
  }

  /** Artifacts with running processes (live or warm): never pruned. */
  runningArtifacts(app: string): Set<string> {
    const serving = this.apps.get(app);
    const artifacts = new Set<string>(serving?.warm.keys() ?? []);
    if (serving?.live) artifacts.add(serving.live.group.artifact);
    return artifacts;
  }

  appNames(): string[] {
    return [...this.apps.keys()];
  }

  /** Agent shutdown: stop the warm timers (the runtime stops every process). */
  stop(): void {
    for (const serving of this.apps.values())
      for (const { timer } of serving.warm.values()) clearTimeout(timer);
  }
}
