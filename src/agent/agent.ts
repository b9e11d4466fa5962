import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import pino, { type Logger } from "pino";
import { BackupsPart } from "../backups/backups-part.js";
import { runtimeRestoreHook } from "../backups/live-restore.js";
import { Accessories } from "../containers/accessories.js";
import { connectEngine } from "../containers/engine.js";
import { agentId } from "../containers/labels.js";
import type { DashboardSettings } from "../dashboard/settings.js";
import { Deployer } from "../deployer/deployer.js";
import { adoptable } from "../deployer/recovery.js";
import { Serving } from "../deployer/serving.js";
import { Isolation } from "../isolation/isolation.js";
import type { IsolationFlag } from "../isolation/policy.js";
import type { ProxyLimits } from "../proxy/limits.js";
import { ProxyServer } from "../proxy/proxy.js";
import { registerProxyMetrics } from "../proxy/proxy-metrics.js";
import { OneOffRuns } from "../runs/one-off-runs.js";
import { markInherited } from "../runtime/inherited-fds.js";
import { Runtime } from "../runtime/runtime.js";
import { SecretStore } from "../secrets/secret-store.js";
import { DataDir } from "../store/data-dir.js";
import { writePrivateFile } from "../store/private-file.js";
import { Store } from "../store/store.js";
import { certsRoutes } from "../tls/certs-api.js";
import { TlsService, type TlsSettings } from "../tls/tls-service.js";
import { VERSION } from "../version.js";
import type { AdmissionOptions } from "./admission.js";
import { createApi } from "./api.js";
import { ApiServer } from "./api-server.js";
import { lockDataDir } from "./data-dir-lock.js";
import type { InheritedFds } from "./listen-fds.js";
import { Monitoring } from "./monitoring.js";
import { PushDeploys } from "./push-deploys.js";
import { loadMetricsToken, loadOrCreateToken } from "./token.js";

export interface AgentOptions {
  dataDir: string;
  listen: { host: string; port: number };
  api: { host: string; port: number };
  tokenFile?: string;
  /** A second token that may read GET /metrics only (for a Prometheus scraper). */
  metricsTokenFile?: string;
  logger?: Logger;
  maxUploadBytes?: number;
  logCapBytes?: number;
  /** The dashboard's credential lifetimes and clock, when not the defaults (tests). */
  dashboard?: Partial<DashboardSettings>;
  /** The Docker engine's socket for container apps and accessories (--docker-socket); default: DOCKER_HOST, else /var/run/docker.sock. */
  dockerSocket?: string;
  /** HTTPS with certificates over ACME (--tls-listen); off when absent. */
  tls?: TlsSettings;
  /** What the public proxy allows slow clients (`skiff agent --body-timeout` …); defaults in src/proxy/limits.ts. */
  proxyLimits?: Partial<ProxyLimits>;
  /** Listening sockets to use instead of opening --listen/--api/--tls-listen (src/agent/listen-fds.ts). */
  fds?: InheritedFds;
  /** Started by a reload of the agent with this pid: take the data directory over from it. */
  replacing?: number;
  /** After a reload, how long an idle client connection is left open (default: the keep-alive timeout). */
  reloadGraceMs?: number;
  /** Whether apps run as their own users (--isolation): auto, on when the agent is root; the default. */
  isolation?: IsolationFlag;
}

export interface AgentInfo {
  pid: number;
  proxy: string;
  api: string;
  /** The HTTPS listener, when on. */
  tls?: string;
  tokenFile: string;
  startedAt: string;
  version: string;
  /** The last reload that did not take: this agent kept serving (`skiff agent reload` reports it). */
  reloadFailed?: { at: string; reason: string };
}

const DEFAULT_MAX_UPLOAD = 512 * 1024 * 1024;
/** How long in-flight proxied requests get to finish when the agent stops. */
const SHUTDOWN_DRAIN_MS = 30_000;
/** On a stop that leaves the apps running (--keep-apps), how long an idle client connection stays open. */
const RESTART_GRACE_MS = 1_000;

/**
 * The long-running server. Starts its parts in order (store, runtime, proxy, recovery of live releases,
 * API) and stops them in reverse; only the CLI's `agent` command handles signals.
 */
export class Agent {
  readonly dataDir: DataDir;
  readonly logger: Logger;
  private store: Store | undefined;
  private runtime: Runtime | undefined;
  private proxy: ProxyServer | undefined;
  private serving: Serving | undefined;
  private pushDeploys: PushDeploys | undefined;
  private monitoring: Monitoring | undefined;
  private tls: TlsService | undefined;
  private backups: BackupsPart | undefined;
  private runs: OneOffRuns | undefined;
  private server: ApiServer | undefined;
  private unlock: (() => void) | undefined;
  private readonly stopping = new AbortController();
  info: AgentInfo | undefined;
  token = "";

  constructor(private readonly options: AgentOptions) {
    this.dataDir = new DataDir(options.dataDir);
    this.logger = options.logger ?? pino({ base: { part: "agent" } });
  }

  async start(): Promise<AgentInfo> {
    const { options, dataDir, logger } = this;
    const startedAt = Date.now();
    const bootId = randomBytes(6).toString("hex");
    dataDir.create();
    markInherited(Object.values(options.fds ?? {}));
    this.unlock = lockDataDir(dataDir.lock, dataDir.root, options.replacing);
    const token = loadOrCreateToken(dataDir.token, options.tokenFile);
    this.token = token.token;
    if (token.created) logger.info({ file: token.file }, `API token written to ${token.file}`);

    const secrets = new SecretStore(dataDir.secrets);
    const secretLookup = secrets.lookup();
    const isolation = new Isolation({ flag: options.isolation ?? "auto", dataDir, logger });
    isolation.start();
    logger.info({ isolation: isolation.mode }, `app isolation ${isolation.mode.reason}`);
    const store = new Store(dataDir.db);
    this.store = store;
    store.leases.releaseAllExcept(bootId);
    // Connecting opens nothing: the engine is first asked at the reconciliation below, and a machine
    // without one runs host-process apps as before (container apps are refused with the reason).
    const containers = { docker: connectEngine(options.dockerSocket), agent: agentId(dataDir.root) };
    const runtime = new Runtime({
      dataDir,
      store,
      logger,
      secrets: secretLookup,
      containers,
      isolation,
      ...(options.logCapBytes ? { logCapBytes: options.logCapBytes } : {}),
    });
    this.runtime = runtime;
    // The running processes of live releases are kept and adopted by recovery below; the rest stop.
    const orphans = await runtime.start(adoptable({ store }));
    // Their processes were just stopped with the other tasks: say so in the ledger.
    store.runs.endUnfinished(Date.now());
    if (orphans > 0) logger.warn({ orphans }, "stopped processes left behind by an earlier agent");

    const proxy = new ProxyServer({
      ...options.listen,
      ...(options.proxyLimits ? { limits: options.proxyLimits } : {}),
      holdUntilServe: true,
    });
    this.proxy = proxy;
    const proxyAddress = await proxy.start(options.fds?.proxy);
    const serving = new Serving(proxy, runtime, logger);
    this.serving = serving;
    const deployer = new Deployer({
      store,
      dataDir,
      runtime,
      serving,
      logger,
      bootId,
      containers: { ...containers, secrets: secretLookup },
      // The backups part is made below; no deploy runs before the API opens.
      backupBeforeRelease: (app, env, release) => {
        if (!this.backups) throw new Error("backups are not started yet");
        return this.backups.backupBeforeRelease(app, env, release);
      },
    });
    // Monitoring watches what serving routes and asks the deployer to roll back a misbehaving release;
    // it hears of the deployer's outcomes and of the proxy's answers as events, so nothing points back.
    const monitoring: Monitoring = new Monitoring({
      store,
      logger,
      proxyUrl: `http://${loopback(proxyAddress)}`,
      secrets: secretLookup,
      // The health the proxy routes on: the web instances'. A crashed worker is restarted by its
      // supervision (shown in status and the ledger), not taken for a failing release by the watch.
      healthy: (key) => serving.live(key)?.group.web.every((i) => i.healthy) ?? false,
      rollback: (app, env, reason) =>
        deployer.rollback(
          { app, env, trigger: "auto-rollback", reason, requestedBy: "skiff watch", wait: true },
          () => undefined,
          this.stopping.signal,
        ),
      extraMonitors: (config) => tls?.monitors(config) ?? [],
    });
    this.monitoring = monitoring;
    registerProxyMetrics(monitoring.metrics.registry, proxy);
    const tls: TlsService | undefined =
      options.tls &&
      new TlsService({
        settings: options.tls,
        certsDir: dataDir.certs,
        logger,
        proxy,
        deployments: () => store.releases.allLive(),
        alert: (app, _config, message) => monitoring.notify(app, message),
        registry: monitoring.metrics.registry,
      });
    this.tls = tls;
    const tlsAddress = await tls?.start(options.fds?.tls);
    // Stored certificates are served from the start, while the live releases are brought back.
    tls?.sync();
    const backups = new BackupsPart({
      store,
      dataDir,
      secrets: secretLookup,
      logger,
      alert: (app, message) => monitoring.notify(app, message),
      registry: monitoring.metrics.registry,
      liveRestore: runtimeRestoreHook(serving, runtime, store),
      bootId,
    });
    this.backups = backups;
    deployer.onOutcome((outcome) => {
      monitoring.onOutcome(outcome);
      tls?.sync();
      backups.refresh();
    });
    serving.observeRequests((app, key, release) => monitoring.observer(app, key, release));
    await deployer.recover(this.stopping.signal);
    // Connections that arrived while the live releases came back are read now.
    proxy.serve();
    tls?.sync();
    await monitoring.start();
    backups.start();
    // One admission for both ways a deploy arrives: an upload from the CLI, a push.
    const admission: AdmissionOptions = {
      dataDir,
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD,
      secrets: secretLookup,
      channelProblems: (config) => monitoring.channelProblems(config),
    };
    const pushDeploys = new PushDeploys({ store, dataDir, deployer, logger, admission });
    this.pushDeploys = pushDeploys;
    pushDeploys.start();

    const runs = new OneOffRuns({ store, dataDir, runtime, logger });
    this.runs = runs;
    const certs = () => tls?.view() ?? { enabled: false, listen: null, directory: null, certificates: [] };
    const api = createApi({
      runs,
      isolation: isolation.mode,
      userOf: (app, config) => runtime.userOf(app, config),
      token: token.token,
      metricsToken: loadMetricsToken(options.metricsTokenFile),
      monitoring,
      backups: backups.service,
      certs,
      logger,
      pushDeploys,
      secrets,
      store,
      dataDir,
      deployer,
      serving,
      admission,
      startedAt,
      proxyAddress: formatAddress(proxyAddress),
      dashboard: options.dashboard,
      accessories: (app, env) =>
        new Accessories({
          ...containers,
          app,
          env,
          storageDir: dataDir.storageDir(app, env),
          secrets: secretLookup,
        }),
    });
    api.route("/v1/certs", certsRoutes(certs));
    const server = new ApiServer(api.fetch);
    this.server = server;
    const apiAddress = await server.listen(
      options.fds?.api === undefined ? options.api : { fd: options.fds.api },
    );
    this.info = {
      pid: process.pid,
      proxy: `http://${formatAddress(proxyAddress)}`,
      api: `http://${formatAddress(apiAddress)}`,
      ...(tlsAddress ? { tls: `https://${formatAddress(tlsAddress)}` } : {}),
      tokenFile: token.file,
      startedAt: new Date(startedAt).toISOString(),
      version: VERSION,
    };
    writePrivateFile(dataDir.agentInfo, `${JSON.stringify(this.info, null, 2)}\n`);
    logger.info(this.info, `skiff agent ready: proxy on ${this.info.proxy}, API on ${this.info.api}`);
    return this.info;
  }

  /**
   * Deploys, rollbacks, promotes and `skiff run`s under way: a reload waits for them (the new agent would
   * fail them and stop their processes).
   */
  operationsInFlight(): number {
    return (this.store?.releases.unfinished().length ?? 0) + (this.store?.runs.unfinished() ?? 0);
  }

  /**
   * A reload that did not take: the directory is this agent's again (the new one may have taken the
   * lock before failing), and agent.json says why for `skiff agent reload`.
   */
  reloadFailed(reason: string, newPid: number | undefined): void {
    this.unlock = lockDataDir(this.dataDir.lock, this.dataDir.root, newPid);
    if (!this.info) return;
    this.info = { ...this.info, reloadFailed: { at: new Date().toISOString(), reason } };
    writePrivateFile(this.dataDir.agentInfo, `${JSON.stringify(this.info, null, 2)}\n`);
  }

  /** The listening sockets, for a reload to hand to the agent that replaces this one. */
  listeners(): InheritedFds {
    const fds: InheritedFds = {};
    const proxy = this.proxy?.fd;
    const api = this.server?.fd;
    const tls = this.tls?.fd;
    if (proxy !== undefined) fds.proxy = proxy;
    if (api !== undefined) fds.api = api;
    if (tls !== undefined) fds.tls = tls;
    return fds;
  }

  /**
   * Stop accepting, drain in-flight requests, stop every app (unless `keepApps`: they keep running for
   * the next start to adopt), close the ledger.
   */
  async stop(options: { keepApps?: boolean } = {}): Promise<void> {
    this.stopping.abort();
    if (options.keepApps) {
      // A restart: the next agent takes over the sockets (systemd) and the apps. Idle connections get a
      // short grace, not the whole keep-alive timeout of a reload, since no process serves them after.
      this.tls?.close();
      const drained = Promise.all([
        this.proxy?.handOver(RESTART_GRACE_MS, SHUTDOWN_DRAIN_MS),
        this.server?.handOver(RESTART_GRACE_MS),
      ]);
      this.runtime?.detach();
      await this.stopParts();
      await drained;
    } else {
      // Streams still open (a `logs -f`, a deploy cut short by the shutdown) end with the agent.
      await this.server?.stop();
      await this.stopParts();
      await this.proxy?.stop(SHUTDOWN_DRAIN_MS);
    }
    await this.tls?.stop();
    await this.runtime?.stop();
    this.store?.close();
    // Only what this agent wrote: a start refused by the lock must not remove the running agent's file.
    if (this.info) rmSync(this.dataDir.agentInfo, { force: true });
    this.unlock?.();
    this.logger.info(options.keepApps ? "skiff agent stopped, apps left running" : "skiff agent stopped");
  }

  /**
   * The end of a reload, once the new agent is ready on the same sockets: stop accepting (without
   * closing a connection), leave the apps to it, answer what is in flight with `Connection: close`,
   * close idle connections after the grace period, then go. agent.json and the lock are the new
   * agent's now.
   */
  async handOver(): Promise<void> {
    this.stopping.abort();
    this.tls?.close();
    const grace = this.options.reloadGraceMs ?? this.proxy?.limits.idleMs ?? 0;
    const proxyDrained = this.proxy?.handOver(grace, Math.max(grace, SHUTDOWN_DRAIN_MS));
    const apiDrained = this.server?.handOver(SHUTDOWN_DRAIN_MS);
    this.runtime?.detach();
    await this.stopParts();
    await Promise.all([proxyDrained, apiDrained]);
    await this.tls?.stop();
    await this.runtime?.stop();
    this.store?.close();
    this.logger.info("skiff agent handed over to the new one and stopped");
  }

  private async stopParts(): Promise<void> {
    await this.runs?.stop();
    await this.pushDeploys?.stop();
    await this.backups?.stop();
    await this.monitoring?.stop();
    this.tls?.close();
    this.serving?.stop();
  }
}

/** The proxy as reachable from this host: a wildcard listen address becomes loopback. */
function loopback(address: AddressInfo): string {
  if (address.address === "0.0.0.0") return `127.0.0.1:${address.port}`;
  if (address.address === "::") return `[::1]:${address.port}`;
  return formatAddress(address);
}

function formatAddress(address: AddressInfo): string {
  return address.family === "IPv6"
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}
