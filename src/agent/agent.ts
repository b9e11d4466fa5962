import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { Deployer } from "../deployer/deployer.js";
import { Serving } from "../deployer/serving.js";
import type { ProxyLimits } from "../proxy/limits.js";
import { ProxyServer } from "../proxy/proxy.js";
import { registerProxyMetrics } from "../proxy/proxy-metrics.js";
import { Runtime } from "../runtime/runtime.js";
import { SecretStore } from "../secrets/secret-store.js";
import { DataDir } from "../store/data-dir.js";
import { writePrivateFile } from "../store/private-file.js";
import { Store } from "../store/store.js";
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
  /** What the public proxy allows slow clients (`skiff agent --body-timeout` …); defaults in src/proxy/limits.ts. */
  proxyLimits?: Partial<ProxyLimits>;
}

export interface AgentInfo {
  pid: number;
  proxy: string;
  api: string;
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
    const store = new Store(dataDir.db);
    this.store = store;
    store.leases.releaseAllExcept(bootId);
    const runtime = new Runtime({
      dataDir,
      store,
      logger,
      secrets: secretLookup,
      ...(options.logCapBytes ? { logCapBytes: options.logCapBytes } : {}),
    });
    this.runtime = runtime;
    const orphans = await runtime.start();
    if (orphans > 0) logger.warn({ orphans }, "stopped processes left behind by an earlier agent");

    const proxy = new ProxyServer({
      ...options.listen,
      ...(options.proxyLimits ? { limits: options.proxyLimits } : {}),
    });
    this.proxy = proxy;
    const proxyAddress = await proxy.start();
    // The parts call each other: monitoring watches what serving routes and asks the deployer to roll back.
    let deployer: Deployer | undefined;
    const monitoring: Monitoring = new Monitoring({
      store,
      logger,
      proxyUrl: `http://${loopback(proxyAddress)}`,
      secrets: secretLookup,
      healthy: (key): boolean => serving.live(key)?.group.instances.every((i) => i.healthy) ?? false,
      rollback: (app, env, reason) =>
        deployer!.rollback(
          { app, env, trigger: "auto-rollback", reason, requestedBy: "skiff watch", wait: true },
          () => undefined,
          this.stopping.signal,
        ),
    });
    this.monitoring = monitoring;
    registerProxyMetrics(monitoring.metrics.registry, proxy);
    const serving: Serving = new Serving(proxy, runtime, logger, (app, key, release) =>
      monitoring.observer(app, key, release),
    );
    this.serving = serving;
    deployer = new Deployer({
      store,
      dataDir,
      runtime,
      serving,
      logger,
      bootId,
      onOutcome: (outcome) => monitoring.onOutcome(outcome),
    });
    await deployer.recover(this.stopping.signal);
    await monitoring.start();
    const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
    const pushDeploys = new PushDeploys({
      store,
      dataDir,
      deployer,
      logger,
      maxUploadBytes,
      secrets: secretLookup,
    });
    this.pushDeploys = pushDeploys;
    pushDeploys.start();

    const api = createApi({
      token: token.token,
      metricsToken: loadMetricsToken(options.metricsTokenFile),
      monitoring,
      logger,
      pushDeploys,
      secrets,
      store,
      dataDir,
      deployer,
      serving,
      maxUploadBytes,
      startedAt,
      proxyAddress: formatAddress(proxyAddress),
    });
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
    await this.pushDeploys?.stop();
    await this.monitoring?.stop();
    await this.proxy?.stop(SHUTDOWN_DRAIN_MS);
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
