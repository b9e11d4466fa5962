import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { BackupsPart } from "../backups/backups-part.js";
import { runtimeRestoreHook } from "../backups/live-restore.js";
import { Accessories } from "../containers/accessories.js";
import { connectEngine } from "../containers/engine.js";
import { agentId } from "../containers/labels.js";
import type { DashboardSettings } from "../dashboard/settings.js";
import { Deployer } from "../deployer/deployer.js";
import { Serving } from "../deployer/serving.js";
import { Isolation } from "../isolation/isolation.js";
import type { IsolationFlag } from "../isolation/policy.js";
import type { ProxyLimits } from "../proxy/limits.js";
import { ProxyServer } from "../proxy/proxy.js";
import { registerProxyMetrics } from "../proxy/proxy-metrics.js";
import { OneOffRuns } from "../runs/one-off-runs.js";
import { Runtime } from "../runtime/runtime.js";
import { SecretStore } from "../secrets/secret-store.js";
import { DataDir } from "../store/data-dir.js";
import { writePrivateFile } from "../store/private-file.js";
import { Store } from "../store/store.js";
import { certsRoutes } from "../tls/certs-api.js";
import { TlsService, type TlsSettings } from "../tls/tls-service.js";
import type { AdmissionOptions } from "./admission.js";
import { createApi } from "./api.js";
import { lockDataDir } from "./data-dir-lock.js";
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
}

const DEFAULT_MAX_UPLOAD = 512 * 1024 * 1024;
/** How long in-flight proxied requests get to finish when the agent stops. */
const SHUTDOWN_DRAIN_MS = 30_000;

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
  private server: ServerType | undefined;
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
    this.unlock = lockDataDir(dataDir.lock, dataDir.root);
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
    const orphans = await runtime.start();
    // Their processes were just stopped with the other tasks: say so in the ledger.
    store.runs.endUnfinished(Date.now());
    if (orphans > 0) logger.warn({ orphans }, "stopped processes left behind by an earlier agent");

    const proxy = new ProxyServer({
      ...options.listen,
      ...(options.proxyLimits ? { limits: options.proxyLimits } : {}),
    });
    this.proxy = proxy;
    const proxyAddress = await proxy.start();
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
    const tlsAddress = await tls?.start();
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
    const apiAddress = await new Promise<AddressInfo>((resolve, reject) => {
      const server = serve({ fetch: api.fetch, hostname: options.api.host, port: options.api.port }, (info) =>
        resolve(info),
      );
      server.once("error", reject);
      this.server = server;
    });
    this.info = {
      pid: process.pid,
      proxy: `http://${formatAddress(proxyAddress)}`,
      api: `http://${formatAddress(apiAddress)}`,
      ...(tlsAddress ? { tls: `https://${formatAddress(tlsAddress)}` } : {}),
      tokenFile: token.file,
      startedAt: new Date(startedAt).toISOString(),
    };
    writePrivateFile(dataDir.agentInfo, `${JSON.stringify(this.info, null, 2)}\n`);
    logger.info(this.info, `skiff agent ready: proxy on ${this.info.proxy}, API on ${this.info.api}`);
    return this.info;
  }

  /** Stop accepting, drain in-flight requests, stop every app, close the ledger. */
  async stop(): Promise<void> {
    this.stopping.abort();
    const server = this.server;
    if (server) {
      // Streams still open (a `logs -f`, a deploy cut short by the shutdown) end with the agent.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
    }
    await this.runs?.stop();
    await this.pushDeploys?.stop();
    await this.backups?.stop();
    await this.monitoring?.stop();
    this.tls?.close();
    await this.proxy?.stop(SHUTDOWN_DRAIN_MS);
    await this.tls?.stop();
    this.serving?.stop();
    await this.runtime?.stop();
    this.store?.close();
    // Only what this agent wrote: a start refused by the lock must not remove the running agent's file.
    if (this.info) rmSync(this.dataDir.agentInfo, { force: true });
    this.unlock?.();
    this.logger.info("skiff agent stopped");
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
