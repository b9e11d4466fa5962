import type { MonitorSpec, MonitorTarget } from "./config.js";
import { INITIAL_STATE, type MonitorEvent, type MonitorState, nextState } from "./monitor-state.js";
import type { ProbeResult } from "./probe-result.js";
import { Prober } from "./prober.js";
import { Scheduler } from "./scheduler.js";
import type { MonitorStateStore } from "./state-store.js";

/**
 * The agent's monitoring part: every app's monitors on one scheduler, each check fed through the
 * incident state machine, states persisted through a MonitorStateStore, incidents reported to
 * `onEvent`. Nothing here waits on alert delivery, so a stuck channel never stalls a check.
 */

export interface IncidentEventRecord {
  /** "app/name": unique across apps. */
  monitorId: string;
  app: string;
  monitor: string;
  kind: MonitorTarget["kind"];
  /** What is checked, for messages: a URL or host:port. */
  target: string;
  event: MonitorEvent;
  /** The incident closed because its monitor was removed from skiff.yml, not because it recovered. */
  monitorRemoved: boolean;
}

export interface CheckRecord {
  monitorId: string;
  app: string;
  monitor: string;
  result: ProbeResult;
  state: MonitorState;
}

export interface MonitorStatus {
  monitorId: string;
  app: string;
  monitor: string;
  kind: MonitorTarget["kind"];
  target: string;
  intervalMs: number;
  /** null until the first check. */
  up: boolean | null;
  lastCheckAt: string | null;
  latencyMs: number | null;
  lastError: string | null;
  certExpiresAt: string | null;
  state: MonitorState;
}

export interface MonitorServiceOptions {
  store: MonitorStateStore;
  /** An incident opened or resolved. Must return quickly: hand alerts to the dispatcher, do not await them. */
  onEvent: (record: IncidentEventRecord) => void | Promise<void>;
  /** Every check, e.g. to set skiff_monitor_up. */
  onCheck?: (record: CheckRecord) => void;
  /** A monitor left the app's config (or the app is gone), e.g. to drop its skiff_monitor_up series. */
  onRemoved?: (monitor: { app: string; monitor: string }) => void;
  /** Something failed outside a check: the store, onEvent or onCheck. Monitoring carries on. */
  onError?: (error: unknown, monitorId: string) => void;
  /** How late each check started against its schedule, in ms. */
  onLate?: (lateMs: number) => void;
  /**
   * Checks in flight at once (default 256). Checks mostly wait on the network, so the bound is
   * generous: 1,000 monitors at 10 s whose targets all hang for a 5 s timeout need 500 slots,
   * and a bound below that would make every other monitor late too.
   */
  concurrency?: number;
  prober?: Prober;
}

interface Monitored {
  id: string;
  app: string;
  spec: MonitorSpec;
  target: string;
  last: { at: string; result: ProbeResult } | null;
}

export function monitorId(app: string, name: string): string {
  return `${app}/${name}`;
}

export function describeTarget(target: MonitorTarget): string {
  return target.kind === "http" ? target.url : `${target.kind} ${formatHostPort(target.host, target.port)}`;
}

function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export class MonitorService {
  private readonly monitors = new Map<string, Monitored>();
  private readonly states = new Map<string, MonitorState>();
  private readonly scheduler: Scheduler;
  private readonly prober: Prober;
  private readonly ownsProber: boolean;
  private proberClosed = false;

  constructor(private readonly options: MonitorServiceOptions) {
    this.prober = options.prober ?? new Prober();
    this.ownsProber = options.prober === undefined;
    this.scheduler = new Scheduler({
      concurrency: options.concurrency ?? 256,
      onLate: options.onLate,
      onError: (id, error) => this.reportError(error, id),
    });
  }

  /** Loads saved states, then starts checking. Monitors may be set before or after. */
  async start(): Promise<void> {
    for (const [id, state] of await this.options.store.loadAll()) this.states.set(id, state);
    this.scheduler.start();
  }

  /** Stops scheduling and waits for the checks in flight. Safe to call twice. */
  async stop(): Promise<void> {
    await this.scheduler.stop();
    if (this.ownsProber && !this.proberClosed) {
      this.proberClosed = true;
      await this.prober.close();
    }
  }

  /** Replace an app's monitors with `specs`: new ones start, changed ones restart, missing ones go. */
  setAppMonitors(app: string, specs: MonitorSpec[]): void {
    const wanted = new Set(specs.map((spec) => monitorId(app, spec.name)));
    for (const m of this.monitors.values()) if (m.app === app && !wanted.has(m.id)) this.removeMonitor(m);
    for (const spec of specs) {
      const id = monitorId(app, spec.name);
      const current = this.monitors.get(id);
      if (current && JSON.stringify(current.spec) === JSON.stringify(spec)) continue;
      const monitored: Monitored = {
        id,
        app,
        spec,
        target: describeTarget(spec.target),
        last: current?.last ?? null,
      };
      this.monitors.set(id, monitored);
      this.scheduler.add(id, spec.intervalMs, () => this.check(monitored));
    }
  }

  removeApp(app: string): void {
    this.setAppMonitors(app, []);
  }

  list(): MonitorStatus[] {
    return [...this.monitors.values()].map((m) => ({
      monitorId: m.id,
      app: m.app,
      monitor: m.spec.name,
      kind: m.spec.target.kind,
      target: m.target,
      intervalMs: m.spec.intervalMs,
      up: m.last ? m.last.result.ok : null,
      lastCheckAt: m.last?.at ?? null,
      latencyMs: m.last ? Math.round(m.last.result.latencyMs) : null,
      lastError: m.last?.result.error ?? null,
      certExpiresAt: m.last?.result.certExpiresAt ?? null,
      state: this.states.get(m.id) ?? INITIAL_STATE,
    }));
  }

  /** Checks not started on time because the previous check of that monitor was still running. */
  get skippedChecks(): number {
    return this.scheduler.skipped;
  }

  private async check(m: Monitored): Promise<void> {
    const result = await this.prober.run(m.spec.target, m.spec.timeoutMs);
    // Removed or replaced while the check ran: its result no longer belongs to anything.
    if (this.monitors.get(m.id) !== m) return;
    const now = new Date();
    m.last = { at: now.toISOString(), result };
    const previous = this.states.get(m.id) ?? INITIAL_STATE;
    const { state, event } = nextState(previous, result, now, m.spec);
    if (event) this.emit(m, event, false);
    if (state !== previous) {
      this.states.set(m.id, state);
      await this.guard(m.id, () => this.options.store.save(m.id, state));
    }
    if (this.options.onCheck) {
      await this.guard(m.id, () =>
        this.options.onCheck!({ monitorId: m.id, app: m.app, monitor: m.spec.name, result, state }),
      );
    }
  }

  private removeMonitor(m: Monitored): void {
    this.monitors.delete(m.id);
    this.scheduler.remove(m.id);
    const incident = this.states.get(m.id)?.incident;
    this.states.delete(m.id);
    if (incident) this.emit(m, { type: "resolved", incident, resolvedAt: new Date().toISOString() }, true);
    void this.guard(m.id, () => this.options.store.delete(m.id));
    void this.guard(m.id, () => this.options.onRemoved?.({ app: m.app, monitor: m.spec.name }));
  }

  /** Reported without waiting: the handler's own slowness must not hold up checks. */
  private emit(m: Monitored, event: MonitorEvent, monitorRemoved: boolean): void {
    const record: IncidentEventRecord = {
      monitorId: m.id,
      app: m.app,
      monitor: m.spec.name,
      kind: m.spec.target.kind,
      target: m.target,
      event,
      monitorRemoved,
    };
    void this.guard(m.id, () => this.options.onEvent(record));
  }

  private async guard(id: string, action: () => unknown): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.reportError(error, id);
    }
  }

  private reportError(error: unknown, id: string): void {
    this.options.onError?.(error, id);
  }
}
