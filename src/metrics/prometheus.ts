import { Counter, Gauge, Registry } from "prom-client";
import { PREVIEW_PREFIX } from "../environments/names.js";
import { RequestMetrics, type RequestRecorder } from "./request-metrics.js";

export type { RequestRecorder } from "./request-metrics.js";

/** A release serving a deployment now, as the ledger has it. */
export interface LiveRelease {
  app: string;
  env: string;
  id: string;
  version: string | null;
}

/**
 * The `env` label of `skiff_deploys_total`: every preview counts as `preview`. A counter's series stay
 * for the agent's life, and preview names come and go with branches.
 */
export function deployEnvLabel(env: string): string {
  return env.startsWith(PREVIEW_PREFIX) ? "preview" : env;
}

/**
 * The agent's Prometheus metrics, served at GET /metrics. Names and labels are part of the
 * interface (issue 5, `env` and the `skiff_` request names from issue 12). The registry is the agent's
 * own, not prom-client's global one, so two agents in one process (tests) do not share counters.
 */
export class SkiffMetrics {
  readonly registry = new Registry();
  private readonly requests = new RequestMetrics(this.registry);
  private readonly deploys: Counter<"app" | "env" | "outcome">;
  private readonly monitorUp: Gauge<"monitor" | "app">;
  private readonly incidentsOpen: Gauge;

  /** `liveReleases`: read at each scrape, so `skiff_release_info` is the ledger's, after a restart too. */
  constructor(liveReleases: () => LiveRelease[] = () => []) {
    const registers = [this.registry];
    this.deploys = new Counter({
      name: "skiff_deploys_total",
      help: "Deploys by environment and outcome: live (went live), failed (never took traffic), rolled-back (taken out by a rollback).",
      labelNames: ["app", "env", "outcome"],
      registers,
    });
    // Registered, never set from outside: its collect() fills it from the ledger when /metrics is scraped.
    new Gauge({
      name: "skiff_release_info",
      help: "1 for the release each app serves now in each environment.",
      labelNames: ["app", "env", "release", "version"],
      registers,
      collect() {
        this.reset();
        for (const r of liveReleases()) {
          this.labels({ app: r.app, env: r.env, release: r.id, version: r.version ?? "" }).set(1);
        }
      },
    });
    this.monitorUp = new Gauge({
      name: "skiff_monitor_up",
      help: "1 when the monitor's last check passed, 0 when it failed.",
      labelNames: ["monitor", "app"],
      registers,
    });
    this.incidentsOpen = new Gauge({ name: "skiff_incidents_open", help: "Incidents open now.", registers });
  }

  /**
   * The recorder for a release's proxied requests, made when the release is switched in and cached.
   * The proxy keeps it on the route and calls `record(status, seconds)` once per response.
   */
  requestRecorder(app: string, env: string, release: string): RequestRecorder {
    return this.requests.recorder(app, env, release);
  }

  /** A pruned release's series go away, so the scrape does not grow with every deploy forever. */
  forgetRelease(app: string, env: string, release: string): void {
    this.requests.forget(app, env, release);
  }

  deployFinished(app: string, env: string, outcome: string): void {
    this.deploys.labels(app, deployEnvLabel(env), outcome).inc();
  }

  /** `monitor` is the name in skiff.yml; `app` keeps two apps' monitors of one name apart. */
  setMonitorUp(app: string, monitor: string, up: boolean): void {
    this.monitorUp.labels({ monitor, app }).set(up ? 1 : 0);
  }

  removeMonitor(app: string, monitor: string): void {
    this.monitorUp.remove({ monitor, app });
  }

  setIncidentsOpen(count: number): void {
    this.incidentsOpen.set(count);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition format for GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
