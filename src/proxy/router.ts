import type { LoadBalancer } from "./load-balancer.js";

/** Where requests for one app go: the live release's load balancer, swapped atomically on a switch. */
export interface Route {
  app: string;
  hosts: string[];
  live: LoadBalancer | undefined;
}

/** Host header → route. Apps without `host:` are the default route (at most one). */
export class Router {
  private readonly byHost = new Map<string, Route>();
  private readonly wildcards: Array<[suffix: string, route: Route]> = [];
  private readonly routes = new Map<string, Route>();
  private fallback: Route | undefined;

  /** Why `app` cannot be routed by `hosts`, or undefined when it can. */
  conflict(app: string, hosts: string[]): string | undefined {
    for (const host of hosts) {
      const owner = this.byHost.get(host) ?? this.wildcards.find(([suffix]) => `*${suffix}` === host)?.[1];
      if (owner && owner.app !== app) return `host ${host} is already routed to app ${owner.app}`;
    }
    if (hosts.length === 0 && this.fallback && this.fallback.app !== app) {
      return `app ${this.fallback.app} is already the default route (no host:); give ${app} a host: in skiff.yml`;
    }
    return undefined;
  }

  /** Adds or updates the route of `app`; throws, changing nothing, when another app owns a host. */
  set(app: string, hosts: string[]): Route {
    const conflict = this.conflict(app, hosts);
    if (conflict) throw new Error(conflict);
    const route = this.routes.get(app) ?? { app, hosts, live: undefined };
    this.unindex(route);
    route.hosts = hosts;
    this.routes.set(app, route);
    this.index(route);
    return route;
  }

  get(app: string): Route | undefined {
    return this.routes.get(app);
  }

  all(): Route[] {
    return [...this.routes.values()];
  }

  remove(app: string): void {
    const route = this.routes.get(app);
    if (!route) return;
    this.unindex(route);
    this.routes.delete(app);
  }

  /** The route for a Host header value (port and case ignored). */
  match(hostHeader: string | undefined): Route | undefined {
    if (hostHeader) {
      const host = stripPort(hostHeader).toLowerCase();
      const exact = this.byHost.get(host);
      if (exact) return exact;
      for (const [suffix, route] of this.wildcards) if (host.endsWith(suffix)) return route;
    }
    return this.fallback;
  }

  private index(route: Route): void {
    if (route.hosts.length === 0) this.fallback = route;
    for (const host of route.hosts) {
      if (host.startsWith("*.")) this.wildcards.push([host.slice(1), route]);
      else this.byHost.set(host, route);
    }
  }

  private unindex(route: Route): void {
    if (this.fallback === route) this.fallback = undefined;
    for (const host of route.hosts) if (this.byHost.get(host) === route) this.byHost.delete(host);
    for (let i = this.wildcards.length - 1; i >= 0; i--)
      if (this.wildcards[i]![1] === route) this.wildcards.splice(i, 1);
  }
}

function stripPort(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.indexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}
