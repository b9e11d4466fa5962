import { Counter, Gauge, Registry } from "prom-client";
import { RequestMetrics, type RequestRecorder } from "./request-metrics.js";

export type { RequestRecorder } from "./request-metrics.js";

/**
 * The agent's Prometheus metrics, served at GET /metrics. Names and labels are part of the
 * interface (issue 5). The registry is the agent's own, not prom-client's global one, so two
 * agents in one process (tests) do not share counters.
 */
export class SkiffMetrics {
  readonly registry = new Registry();
  private readonly requests = new RequestMetrics(this.registry);
  private readonly deploys: Counter<"app" | "outcome">;
  private readonly releaseInfo: Gauge<"app" | "release" | "version">;
  private readonly monitorUp: Gauge<"monitor" | "app">;
  private readonly incidentsOpen: Gauge;
  private readonly liveInfo = new Map<string, { release: string; version: string }>();

  constructor() {
    const registers = [this.registry];
    this.deploys = new Counter({
      name: "skiff_deploys_total",
      help: "Deploys by outcome: live (went live), failed (never took traffic), rolled-back (taken out by a rollback).",
      labelNames: ["app", "outcome"],
      registers,
    });
    this.releaseInfo = new Gauge({
      name: "skiff_release_info",
      help: "1 for the release each app serves now.",
      labelNames: ["app", "release", "version"],
      registers,
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
   * The recorder for a release's proxied requests, made on first use and cached. The proxy keeps
   * it on the route and calls `record(status, seconds)` once per response.
   */
  requestRecorder(app: string, release: string): RequestRecorder {
    return this.requests.recorder(app, release);
  }

  /** A pruned release's series go away, so the scrape does not grow with every deploy forever. */
  forgetRelease(app: string, release: string): void {
    this.requests.forget(app, release);
  }

  deployFinished(app: string, outcome: string): void {
    this.deploys.labels(app, outcome).inc();
  }

  /** Marks `release` as the app's live one; the previous live release's series is removed. */
  setLiveRelease(app: string, release: string, version: string): void {
    const previous = this.liveInfo.get(app);
    if (previous) this.releaseInfo.remove(app, previous.release, previous.version);
    this.releaseInfo.labels(app, release, version).set(1);
    this.liveInfo.set(app, { release, version });
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
