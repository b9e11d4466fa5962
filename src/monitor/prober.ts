import { rootCertificates } from "node:tls";
import { Agent } from "undici";
import type { MonitorTarget } from "./config.js";
import { probeHttp } from "./http-probe.js";
import type { ProbeResult } from "./probe-result.js";
import { probeTcp } from "./tcp-probe.js";
import { probeTls } from "./tls-probe.js";

export interface ProberOptions {
  /** Extra CA certificates to trust (PEM), e.g. an internal CA. The system roots stay trusted. */
  ca?: string;
  /** Upper bound on parallel connections per origin. */
  connectionsPerOrigin?: number;
}

/** Runs one check of any monitor kind. Owns the HTTP connection pool, so close() it when done. */
export class Prober {
  private readonly http: Agent;
  private readonly ca: string[] | undefined;

  constructor(options: ProberOptions = {}) {
    // A `ca` option replaces Node's roots, so they are passed along with the extra one.
    this.ca = options.ca ? [...rootCertificates, options.ca] : undefined;
    this.http = new Agent({
      connections: options.connectionsPerOrigin ?? 64,
      // Idle sockets go before most servers drop them (Node: 5s), which keeps stale reuse rare.
      keepAliveTimeout: 2000,
      keepAliveMaxTimeout: 2000,
      connect: this.ca ? { ca: this.ca } : {},
    });
  }

  run(target: MonitorTarget, timeoutMs: number): Promise<ProbeResult> {
    switch (target.kind) {
      case "http":
        return probeHttp(this.http, target.url, target.expect, timeoutMs, target.host);
      case "tcp":
        return probeTcp(target.host, target.port, timeoutMs);
      case "tls":
        return probeTls(target, timeoutMs, this.ca);
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
