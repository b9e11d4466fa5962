import type { Logger } from "pino";
import type { AlertsTestResponse } from "../alerts/alerts-test-api.js";
import { resolveChannels } from "../alerts/channels.js";
import { AlertDispatcher } from "../alerts/dispatcher.js";
import {
  type AlertMessage,
  autoRollbackMessage,
  deployFailedMessage,
  incidentMessage,
  type ReleaseRef,
  testMessage,
} from "../alerts/message.js";
import type { AppConfig } from "../config/schema.js";
import type { DeployOutcome } from "../deployer/inputs.js";
import { deploymentKey, environmentOfKey, PRODUCTION } from "../environments/names.js";
import { computeDora } from "../metrics/dora.js";
import type { DeliveryMetricsResponse } from "../metrics/metrics-api.js";
import { SkiffMetrics } from "../metrics/prometheus.js";
import { appHealthMonitor, type MonitorSpec } from "../monitor/config.js";
import type { IncidentsResponse } from "../monitor/incidents-api.js";
import {
  type CheckRecord,
  type IncidentEventRecord,
  MonitorService,
  type MonitorStatus,
} from "../monitor/monitor-service.js";
import { environmentSecrets, type SecretLookup } from "../secrets/secret-store.js";
import type { Release } from "../store/releases.js";
import type { Store } from "../store/store.js";
import { ReleaseWatch } from "./release-watch.js";

export interface MonitoringOptions {
  store: Store;
  logger: Logger;
  /** Where the proxy answers on this host, for each app's own health monitor. */
  proxyUrl: string;
  /** Channel secrets come from here: the agent's secret store, then its environment. */
  secrets?: SecretLookup;
  /** Whether every instance of a deployment's live release passes its health check. */
  healthy: (key: string) => boolean;
  /** Puts the previous release back; the watch calls it when a new release misbehaves. */
  rollback: (app: string, env: string, reason: string) => Promise<Release>;
  /** Monitors every app gets besides its health check (a TLS monitor per host when the agent serves HTTPS). */
  extraMonitors?: (config: AppConfig) => MonitorSpec[];
}

/** Releases per deployment whose request series stay in /metrics (the live one, warm ones, recent ones). */
const KEPT_RELEASE_SERIES = 10;

/** Per release: the error watch during the window after its switch (the Prometheus counts are always on). */
interface Tap {
  watch: ReleaseWatch | undefined;
}

/**
 * The agent's eyes: monitors and incidents, alerts to every channel, Prometheus metrics, and the
 * watch after each deploy that rolls a misbehaving release back by itself.
 */
export class Monitoring {
  readonly metrics: SkiffMetrics;
  private readonly service: MonitorService;
  private readonly dispatchers = new Map<string, AlertDispatcher>();
  private readonly taps = new Map<string, Tap>();
  /** The last cause written to each open incident, so a check that fails the same way writes nothing. */
  private readonly causes = new Map<string, string>();

  constructor(private readonly options: MonitoringOptions) {
    const { store, logger } = options;
    this.metrics = new SkiffMetrics(() => store.releases.allLive());
    this.service = new MonitorService({
      store: store.monitorStates,
      onEvent: (record) => this.onIncident(record),
      onCheck: (record) => this.onCheck(record),
      onRemoved: ({ app, monitor }) => this.metrics.removeMonitor(app, monitor),
      onError: (error, id) => logger.error({ monitor: id, err: String(error) }, "monitoring error"),
    });
  }

  async start(): Promise<void> {
    for (const release of this.options.store.releases.allLive()) {
      if (release.env === PRODUCTION) this.configure(release.app, release.config);
    }
    this.metrics.setIncidentsOpen(this.options.store.incidents.openCount());
    await this.service.start();
  }

  async stop(): Promise<void> {
    for (const tap of this.taps.values()) tap.watch?.stop();
    await this.service.stop();
    await Promise.all([...this.dispatchers.values()].map((d) => d.close(2_000)));
  }

  /** Problems with an app's alert channels (a secret's variable not set), each naming the field. */
  channelProblems(config: AppConfig): string[] {
    return resolveChannels(config.alerts, this.secrets).problems;
  }

  /**
   * The proxy's per-request hook for one release, asked for when the release is switched in (so its
   * request series start at 0 then). Cheap: counters only.
   */
  observer(app: string, key: string, release: string): (status: number, ms: number) => void {
    const recorder = this.metrics.requestRecorder(app, environmentOfKey(app, key), release);
    const tap: Tap = { watch: undefined };
    this.taps.set(`${key}@${release}`, tap);
    this.forgetOldReleases(app, key);
    return (status, ms) => {
      recorder.record(status, ms / 1000);
      tap.watch?.counter.record(status, ms);
    };
  }

  /**
   * Keeps the per-release series (Prometheus, taps) of the last few releases of a deployment only, so
   * neither the scrape nor memory grows with every deploy.
   */
  private forgetOldReleases(app: string, key: string): void {
    const mine = [...this.taps.keys()].filter((k) => k.startsWith(`${key}@`));
    for (const old of mine.slice(0, Math.max(0, mine.length - KEPT_RELEASE_SERIES))) {
      this.taps.get(old)?.watch?.stop();
      this.taps.delete(old);
      this.metrics.forgetRelease(app, environmentOfKey(app, key), old.slice(key.length + 1));
    }
  }

  /** What the deployer reports: metrics, alerts, the post-deploy watch, and the app's monitors. */
  onOutcome(outcome: DeployOutcome): void {
    const { release } = outcome;
    if (outcome.type === "failed") {
      this.metrics.deployFinished(release.app, release.env, "failed");
      if (!this.dispatchers.has(release.app)) this.configureChannels(release.app, release.config);
      this.alert(
        release.app,
        deployFailedMessage({
          app: release.app,
          release: ref(release)!,
          reason: outcome.reason,
          startedAt: new Date(release.createdAt).toISOString(),
          live: ref(this.options.store.releases.live(release.app, release.env)),
        }),
      );
      return;
    }
    const rollback = release.trigger === "rollback" || release.trigger === "auto-rollback";
    // A rollback is not a deploy going live: it counts once, as the release it took out (an
    // automatic one where it is decided, in autoRollback).
    if (!rollback) this.metrics.deployFinished(release.app, release.env, "live");
    else if (release.trigger === "rollback")
      this.metrics.deployFinished(release.app, release.env, "rolled-back");
    if (release.env !== PRODUCTION) return;
    this.configure(release.app, release.config);
    if (!rollback && outcome.previous) this.watch(release);
  }

  /** A secret was set or removed: every app's channels are built again with what the store holds now. */
  secretsChanged(): void {
    const { store } = this.options;
    for (const app of [...this.dispatchers.keys()]) {
      const config = store.releases.live(app)?.config ?? store.apps.config(app);
      if (config) this.configureChannels(app, config);
    }
  }

  async alertsTest(app: string): Promise<AlertsTestResponse> {
    const live = this.options.store.releases.live(app);
    const config = live?.config ?? this.options.store.apps.config(app);
    if (!config)
      return { app, results: [], problems: [`${app} is not known to this agent: deploy it first`] };
    const { channels, problems } = resolveChannels(config.alerts, this.secrets);
    const dispatcher = new AlertDispatcher(channels);
    try {
      return { app, results: await dispatcher.sendTest(testMessage(app, ref(live))), problems };
    } finally {
      await dispatcher.close(1_000);
    }
  }

  /** The app's monitors as last checked (every app's when `app` is not given). */
  monitors(app?: string): MonitorStatus[] {
    return this.service.list().filter((m) => app === undefined || m.app === app);
  }

  incidents(options: { app?: string; open?: boolean }): IncidentsResponse {
    return { incidents: this.options.store.incidents.list(options) };
  }

  delivery(app: string | undefined, sinceMs: number): DeliveryMetricsResponse {
    const { store } = this.options;
    const until = new Date();
    const since = new Date(until.getTime() - sinceMs);
    const deploys = store.releases.deliveryRecords(app, since.getTime());
    const incidents = store.incidents.list({
      ...(app ? { app } : {}),
      since: since.getTime(),
      limit: 100_000,
    });
    return { app: app ?? null, report: computeDora({ deploys, incidents, since, until }) };
  }

  /** The app's monitors (its own health check through the proxy, then skiff.yml's) and alert channels. */
  private configure(app: string, config: AppConfig): void {
    const url = `${this.options.proxyUrl}${config.healthcheck.path}`;
    // The monitor defaults (60s, 5s), not the deploy gate's fast healthcheck.interval: its probes go
    // through the proxy and count among the release's requests, which the post-deploy watch judges.
    const health = appHealthMonitor(url);
    if (health.target.kind === "http" && config.hosts[0]) health.target.host = config.hosts[0];
    this.service.setAppMonitors(app, [
      health,
      ...(this.options.extraMonitors?.(config) ?? []),
      ...config.monitors,
    ]);
    this.configureChannels(app, config);
  }

  private configureChannels(app: string, config: AppConfig): void {
    const { channels, problems } = resolveChannels(config.alerts, this.secrets);
    for (const problem of problems) this.options.logger.warn({ app }, `alerts: ${problem}`);
    const previous = this.dispatchers.get(app);
    this.dispatchers.set(
      app,
      new AlertDispatcher(channels, {
        onResult: (result) => {
          if (result.ok) return;
          this.options.store.alertFailures.add({
            ...result,
            kind: result.messageKind,
            error: result.error ?? "failed",
            at: Date.now(),
          });
          this.options.logger.error({ app, channel: result.channel }, `alert not delivered: ${result.error}`);
        },
      }),
    );
    void previous?.close();
  }

  private watch(release: Release): void {
    const key = deploymentKey(release.app, release.env);
    const tap = this.taps.get(`${key}@${release.id}`);
    if (!tap) return;
    tap.watch?.stop();
    tap.watch = new ReleaseWatch(
      release.id,
      release.config.watch,
      () => this.options.healthy(key),
      (reason) => {
        void this.autoRollback(release, reason);
      },
    );
    tap.watch.start();
  }

  private async autoRollback(release: Release, reason: string): Promise<void> {
    const { logger, store } = this.options;
    const switchedAt = new Date(release.liveAt ?? Date.now()).toISOString();
    logger.warn({ app: release.app, release: release.id, reason }, "rolling back automatically");
    try {
      const back = await this.options.rollback(release.app, release.env, reason);
      this.metrics.deployFinished(release.app, release.env, "rolled-back");
      this.alert(
        release.app,
        autoRollbackMessage({ app: release.app, from: ref(release)!, to: ref(back)!, reason, switchedAt }),
      );
    } catch (error) {
      logger.error(
        { app: release.app, release: release.id, err: String(error) },
        "automatic rollback failed",
      );
      this.alert(
        release.app,
        deployFailedMessage({
          app: release.app,
          release: ref(release)!,
          reason: `${reason}, and the automatic rollback failed: ${error instanceof Error ? error.message : String(error)}`,
          startedAt: switchedAt,
          live: ref(store.releases.live(release.app, release.env)),
        }),
      );
    }
  }

  private onCheck(record: CheckRecord): void {
    this.metrics.setMonitorUp(record.app, record.monitor, record.result.ok);
    const cause = record.state.incident?.cause;
    if (cause === undefined || this.causes.get(record.monitorId) === cause) return;
    this.causes.set(record.monitorId, cause);
    this.options.store.incidents.updateCause(record.app, record.monitor, cause);
  }

  private onIncident(record: IncidentEventRecord): void {
    const { store } = this.options;
    const live = store.releases.live(record.app);
    const { event } = record;
    if (event.type === "opened") {
      store.incidents.open({
        app: record.app,
        monitor: record.monitor,
        target: record.target,
        cause: event.incident.cause,
        release: live?.id ?? null,
        startedAt: Date.parse(event.incident.startedAt),
        openedAt: Date.parse(event.incident.openedAt),
      });
    } else {
      store.incidents.resolve(record.app, record.monitor, Date.parse(event.resolvedAt));
      this.causes.delete(record.monitorId);
    }
    this.metrics.setIncidentsOpen(store.incidents.openCount());
    this.alert(record.app, incidentMessage(record, ref(live)));
  }

  /** An alert from another part of the agent (backups) through the app's channels, set up if needed. */
  notify(app: string, message: AlertMessage): void {
    if (!this.dispatchers.has(app)) {
      const config = this.options.store.releases.live(app)?.config ?? this.options.store.apps.config(app);
      if (config) this.configureChannels(app, config);
    }
    this.alert(app, message);
  }

  /** Hands the message to the app's channels without waiting: a slow channel never holds anything up. */
  private alert(app: string, message: AlertMessage): void {
    const dispatcher = this.dispatchers.get(app);
    if (dispatcher) void dispatcher.dispatch(message);
  }

  private get secrets(): SecretLookup {
    return this.options.secrets ?? environmentSecrets;
  }
}

/** The environment of a deployment key (deploymentKey's inverse): `hello` → production, `hello/staging` → staging. */

function ref(release: Release | undefined): ReleaseRef | null {
  if (!release) return null;
  return {
    id: release.id,
    version: release.version,
    commit: release.commit?.sha.slice(0, 7) ?? null,
    ...(release.env === PRODUCTION ? {} : { env: release.env }),
  };
}
