import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { AlertMessage } from "../alerts/message.js";
import type { AppConfig } from "../config/schema.js";
import type { MonitorSpec } from "../monitor/config.js";
import type { ProxyServer } from "../proxy/proxy.js";
import { AcmeIssuer, type AcmeSettings } from "./acme-issuer.js";
import { CertMetrics } from "./cert-metrics.js";
import { CertStore } from "./cert-store.js";
import { CertificateManager, type Deployment } from "./certificate-manager.js";
import type { CertsResponse } from "./certs-api.js";
import { Challenges } from "./challenges.js";
import { TlsEdge } from "./edge-policy.js";
import { ownTlsMonitors } from "./own-monitors.js";
import type { BackoffPolicy } from "./renewal.js";
import { SniContexts } from "./sni.js";
import { TicketKeyRotation } from "./ticket-key-rotation.js";
import { TlsListener } from "./tls-listener.js";

/** The agent's HTTPS settings (skiff agent --tls-listen, --acme-*, --cert-renew-before). */
export interface TlsSettings {
  listen: { host: string; port: number };
  acme: AcmeSettings;
  renewBeforeMs?: number | undefined;
  /** Tests only: the floor between two renewals of one host (default 1 hour), the retry backoff, the own-files poll. */
  minRenewIntervalMs?: number;
  backoff?: BackoffPolicy;
  ownFilesPollMs?: number;
}

export interface TlsServiceOptions {
  settings: TlsSettings;
  certsDir: string;
  logger: Logger;
  proxy: ProxyServer;
  deployments: () => Deployment[];
  alert: (app: string, config: AppConfig, message: AlertMessage) => void;
  registry: Registry;
}

/**
 * HTTPS for the agent: the TLS listener beside the proxy's plain port, certificates by SNI, the proxy's
 * edge (ACME challenges, redirects, HSTS) and the certificate manager. Started after the proxy, stopped
 * around its drain: `close` before it, `stop` after.
 */
export class TlsService {
  private readonly challenges = new Challenges();
  private readonly sni = new SniContexts();
  private readonly edge: TlsEdge;
  private readonly manager: CertificateManager;
  private readonly listener: TlsListener;
  private readonly ticketKeys: TicketKeyRotation;
  private address: AddressInfo | undefined;

  constructor(private readonly options: TlsServiceOptions) {
    const { settings, logger } = options;
    const store = new CertStore(options.certsDir);
    this.edge = new TlsEdge(
      (token) => this.challenges.answer(token),
      () => this.address?.port ?? settings.listen.port,
    );
    const metrics = new CertMetrics(options.registry);
    this.manager = new CertificateManager({
      store,
      issuer: new AcmeIssuer(settings.acme, store, this.challenges),
      sni: this.sni,
      edge: this.edge,
      logger,
      deployments: options.deployments,
      alert: options.alert,
      onServed: (host, info) => metrics.served(host, info),
      renewBeforeMs: settings.renewBeforeMs,
      ...(settings.minRenewIntervalMs !== undefined
        ? { minRenewIntervalMs: settings.minRenewIntervalMs }
        : {}),
      ...(settings.backoff ? { backoff: settings.backoff } : {}),
      ...(settings.ownFilesPollMs ? { ownFilesPollMs: settings.ownFilesPollMs } : {}),
    });
    this.listener = new TlsListener({
      ...settings.listen,
      sni: this.sni.callback,
      serves: (name) => this.sni.has(name),
      accept: (socket) => options.proxy.accept(socket),
    });
    this.ticketKeys = new TicketKeyRotation({
      store,
      apply: (key) => this.listener.setTicketKeys(key),
      onError: (error) => logger.warn({ err: error.message }, "tls: session-ticket key not saved"),
    });
  }

  /** `fd`: an inherited listening socket (a reload, systemd) instead of --tls-listen's address. */
  async start(fd?: number): Promise<AddressInfo> {
    this.options.proxy.edge = this.edge;
    this.ticketKeys.start();
    this.address = await this.listener.start(fd);
    return this.address;
  }

  /** The live releases changed (a deploy, a rollback, the agent's start): order what new hosts need. */
  sync(): void {
    this.manager.sync();
  }

  /** The TLS monitors every app served over HTTPS gets for its own hosts. */
  monitors(config: AppConfig): MonitorSpec[] {
    if (!this.address) return [];
    const host =
      this.address.address === "0.0.0.0" || this.address.address === "::"
        ? "127.0.0.1"
        : this.address.address;
    return ownTlsMonitors(config, { host, port: this.address.port });
  }

  view(): CertsResponse {
    return {
      enabled: true,
      listen: this.address ? `${this.address.address}:${this.address.port}` : null,
      directory: this.options.settings.acme.directoryUrl,
      certificates: this.manager.views(),
    };
  }

  /** The TLS listening socket, for a reload to hand over. */
  get fd(): number | undefined {
    return this.listener.fd;
  }

  /** Stops accepting TLS connections (those accepted drain with the proxy). */
  close(): void {
    this.listener.close();
  }

  async stop(): Promise<void> {
    this.ticketKeys.stop();
    await this.manager.stop();
    await this.listener.stop();
  }
}
