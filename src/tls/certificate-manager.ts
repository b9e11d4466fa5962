import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { isIP } from "node:net";
import type { Logger } from "pino";
import type { AlertMessage } from "../alerts/message.js";
import type { AppConfig } from "../config/schema.js";
import { certificateFailedMessage, certificateRecoveredMessage } from "./alerts.js";
import type { CertStore, HostRecord } from "./cert-store.js";
import {
  type CertInfo,
  CertificateError,
  covers,
  type KeyedCertificate,
  readCertificate,
} from "./certificate.js";
import type { CertView } from "./certs-api.js";
import { type AppTls, DEFAULT_APP_TLS } from "./config.js";
import { hstsField, type TlsEdge } from "./edge-policy.js";
import { type BackoffPolicy, DEFAULT_BACKOFF, renewalTime, retryAfterMs, retryDelayMs } from "./renewal.js";
import type { SniContexts } from "./sni.js";

/** A deployment whose hosts may need certificates: every live release, previews included. */
export interface Deployment {
  app: string;
  env: string;
  config: AppConfig;
}

export interface CertificateManagerOptions {
  store: CertStore;
  issuer: { issue(host: string): Promise<KeyedCertificate> };
  sni: SniContexts;
  edge: TlsEdge;
  logger: Logger;
  deployments: () => Deployment[];
  /** Sends a message to the app's alert channels. */
  alert: (app: string, config: AppConfig, message: AlertMessage) => void;
  /** Told about every certificate served (undefined: the host has none any more), for /metrics. */
  onServed?: (host: string, info: CertInfo | undefined) => void;
  /** --cert-renew-before; undefined: 30 days or a third of the lifetime, whichever comes later. */
  renewBeforeMs?: number | undefined;
  /** A certificate is renewed at most this often, whatever the window (see renewal.ts). */
  minRenewIntervalMs?: number;
  backoff?: BackoffPolicy;
  /** How often own cert_file/key_file are checked for changes. */
  ownFilesPollMs?: number;
  /** While failures go on, the channels hear again after this long. */
  realertMs?: number;
}

const HOUR_MS = 3_600_000;
/** Timers are re-armed at least this often, so a clock change or a removed host is noticed. */
const MAX_SLEEP_MS = HOUR_MS;

interface HostEntry {
  host: string;
  app: string;
  env: string;
  config: AppConfig;
  tls: AppTls;
  certificate: KeyedCertificate | undefined;
  record: HostRecord;
  /** Why no certificate can be had as configured. */
  problem: string | undefined;
  /** The own files being watched, to stop watching them. */
  watched: string[];
}

/**
 * Which hosts need certificates (every `host:` of every live release whose `tls:` is not off), where
 * each certificate comes from (ACME or the app's own files), and when each is renewed. Orders run one
 * at a time; a failure is retried with backoff, alerted, and never replaces the certificate being served.
 */
export class CertificateManager {
  private readonly entries = new Map<string, HostEntry>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly minRenewIntervalMs: number;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: CertificateManagerOptions) {
    this.minRenewIntervalMs = options.minRenewIntervalMs ?? HOUR_MS;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** Brings the hosts in line with the live releases and orders what is due. */
  sync(): void {
    if (this.stopped) return;
    const wanted = new Map<string, Deployment>();
    for (const deployment of this.options.deployments()) {
      const tls = deployment.config.tls ?? DEFAULT_APP_TLS;
      if (tls.mode.kind === "off") continue;
      for (const host of deployment.config.hosts) wanted.set(host, deployment);
    }
    for (const [host, entry] of this.entries) {
      if (!wanted.has(host)) this.drop(entry);
    }
    for (const [host, deployment] of wanted) this.update(host, deployment);
    this.schedule();
  }

  /** Every host's certificate, for `skiff certs`. */
  views(): CertView[] {
    return [...this.entries.values()]
      .sort((a, b) => a.host.localeCompare(b.host))
      .map((entry) => {
        const info = entry.certificate?.info;
        const { record } = entry;
        const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
        return {
          host: entry.host,
          app: entry.app,
          env: entry.env,
          source: info ? (entry.tls.mode.kind === "files" ? "files" : "acme") : "none",
          issuer: info?.issuer ?? null,
          notBefore: iso(info?.notBefore),
          notAfter: iso(info?.notAfter),
          renewAt: entry.tls.mode.kind === "auto" && info ? iso(this.renewAt(entry)) : null,
          lastAttempt: record.lastAttempt
            ? {
                at: iso(record.lastAttempt.at)!,
                ok: record.lastAttempt.ok,
                error: record.lastAttempt.error ?? null,
              }
            : null,
          failures: record.failures,
          nextAttemptAt: record.failures > 0 ? iso(record.notBefore) : null,
          problem: entry.problem ?? null,
        };
      });
  }

  /** Stops ordering; an order in flight is waited for up to `waitMs` (it saves what it gets). */
  async stop(waitMs = 2000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const entry of this.entries.values()) this.unwatch(entry);
    if (this.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
  }

  private update(host: string, deployment: Deployment): void {
    const tls = deployment.config.tls ?? DEFAULT_APP_TLS;
    let entry = this.entries.get(host);
    // The same object stays in the map, so an order in flight updates what is current.
    const sourceChanged = !entry || JSON.stringify(entry.tls.mode) !== JSON.stringify(tls.mode);
    if (!entry) {
      entry = {
        ...deployment,
        host,
        tls,
        certificate: undefined,
        record: this.options.store.record(host),
        problem: undefined,
        watched: [],
      };
      this.entries.set(host, entry);
    }
    Object.assign(entry, { app: deployment.app, env: deployment.env, config: deployment.config, tls });
    if (sourceChanged) {
      this.unwatch(entry);
      entry.certificate = undefined;
      entry.problem = undefined;
      if (tls.mode.kind === "files") this.loadOwnFiles(entry);
      else this.loadStored(entry);
    }
    // The redirect and HSTS follow the latest config, and only once a certificate is served.
    if (entry.certificate) this.serve(entry, entry.certificate);
  }

  private drop(entry: HostEntry): void {
    this.unwatch(entry);
    this.entries.delete(entry.host);
    this.options.sni.delete(entry.host);
    this.options.edge.hosts.delete(entry.host);
    this.options.onServed?.(entry.host, undefined);
  }

  private loadStored(entry: HostEntry): void {
    const { host } = entry;
    if (host.startsWith("*.")) {
      entry.problem =
        "a wildcard needs the DNS-01 challenge, which Skiff does not do; give the app tls: { cert_file, key_file }";
      return;
    }
    if (isIP(host) || !host.includes(".")) {
      entry.problem = "certificate authorities issue for public DNS names only";
      return;
    }
    const stored = this.options.store.load(host);
    if (stored instanceof CertificateError) {
      this.options.logger.warn(
        { host, err: stored.message },
        "stored certificate unreadable; ordering a new one",
      );
      return;
    }
    if (stored && covers(stored.info, host)) this.serve(entry, stored);
  }

  private loadOwnFiles(entry: HostEntry): void {
    const mode = entry.tls.mode;
    if (mode.kind !== "files") return;
    const read = () => {
      try {
        const certificate = readCertificate(
          readFileSync(mode.certFile, "utf8"),
          readFileSync(mode.keyFile, "utf8"),
        );
        if (!covers(certificate.info, entry.host))
          throw new CertificateError(
            `${mode.certFile} is for ${certificate.info.names.join(", ")}, not ${entry.host}`,
          );
        entry.problem = undefined;
        if (
          entry.certificate?.info.serial !== certificate.info.serial ||
          entry.certificate.chainPem !== certificate.chainPem
        ) {
          this.serve(entry, certificate);
          this.options.logger.info(
            { host: entry.host, notAfter: new Date(certificate.info.notAfter) },
            "own certificate loaded",
          );
        }
      } catch (error) {
        // A half-written pair (key replaced, certificate not yet) is refused; the last good one keeps serving.
        entry.problem = `tls.cert_file/key_file: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? `${(error as NodeJS.ErrnoException).path} not found` : (error as Error).message}`;
        this.options.logger.warn({ host: entry.host, problem: entry.problem }, "own certificate not loaded");
      }
    };
    read();
    const interval = this.options.ownFilesPollMs ?? 5000;
    for (const file of [mode.certFile, mode.keyFile]) {
      // Polling, not fs.watch: certbot and friends replace files by rename, which an inode watch misses.
      watchFile(file, { interval, persistent: false }, read);
      entry.watched.push(file);
    }
  }

  private unwatch(entry: HostEntry): void {
    for (const file of entry.watched.splice(0)) unwatchFile(file);
  }

  private serve(entry: HostEntry, certificate: KeyedCertificate): void {
    const changed = entry.certificate !== certificate;
    entry.certificate = certificate;
    if (changed || !this.options.sni.has(entry.host)) this.options.sni.set(entry.host, certificate);
    this.options.edge.hosts.set(entry.host, {
      host: entry.host,
      redirect: entry.tls.httpsRedirect,
      hstsField: hstsField(entry.tls.hsts),
    });
    this.options.onServed?.(entry.host, certificate.info);
  }

  private renewAt(entry: HostEntry): number {
    const info = entry.certificate!.info;
    return renewalTime({
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      obtainedAt: entry.record.obtainedAt ?? info.notBefore,
      renewBeforeMs: this.options.renewBeforeMs,
      minIntervalMs: this.minRenewIntervalMs,
    });
  }

  /** When the entry's next order is due, or undefined when it needs none. */
  private dueAt(entry: HostEntry): number | undefined {
    if (entry.tls.mode.kind !== "auto" || entry.problem) return undefined;
    const due = entry.certificate ? this.renewAt(entry) : 0;
    return Math.max(due, entry.record.notBefore ?? 0);
  }

  private schedule(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    const now = Date.now();
    let next = now + MAX_SLEEP_MS;
    for (const entry of this.entries.values()) {
      const due = this.dueAt(entry);
      if (due !== undefined) next = Math.min(next, due);
    }
    this.timer = setTimeout(() => this.runDue(), Math.max(0, next - now));
    this.timer.unref();
  }

  private runDue(): void {
    if (this.stopped || this.running) return;
    this.running = (async () => {
      // One at a time: a CA counts orders per account, and a burst of them helps nobody.
      for (;;) {
        if (this.stopped) break;
        const now = Date.now();
        const entry = [...this.entries.values()].find((e) => {
          const due = this.dueAt(e);
          return due !== undefined && due <= now;
        });
        if (!entry) break;
        await this.order(entry);
      }
    })().finally(() => {
      this.running = undefined;
      this.sync();
    });
  }

  private async order(entry: HostEntry): Promise<void> {
    const { host, record } = entry;
    const { logger, store } = this.options;
    const started = Date.now();
    const renewing = entry.certificate !== undefined;
    logger.info(
      { host, app: entry.app, renewing },
      renewing ? "renewing certificate" : "ordering certificate",
    );
    try {
      const certificate = await this.options.issuer.issue(host);
      store.save(host, certificate);
      const hadFailures = record.failures > 0;
      entry.record = { obtainedAt: Date.now(), lastAttempt: { at: started, ok: true }, failures: 0 };
      store.saveRecord(host, entry.record);
      if (this.entries.get(host) === entry) this.serve(entry, certificate);
      logger.info(
        {
          host,
          issuer: certificate.info.issuer,
          notAfter: new Date(certificate.info.notAfter),
          ms: Date.now() - started,
        },
        "certificate issued",
      );
      if (hadFailures && !this.stopped)
        this.options.alert(
          entry.app,
          entry.config,
          certificateRecoveredMessage({ app: entry.app, host, certificate: certificate.info }),
        );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const now = Date.now();
      const failures = record.failures + 1;
      const nextAttemptAt = now + retryDelayMs(failures, this.backoff, retryAfterMs(message, now));
      const alert =
        record.alertedAt === undefined ||
        record.failures === 0 ||
        now - record.alertedAt >= (this.options.realertMs ?? 24 * HOUR_MS);
      entry.record = {
        ...record,
        lastAttempt: { at: started, ok: false, error: message },
        failures,
        failingSince: failures === 1 ? started : (record.failingSince ?? started),
        notBefore: nextAttemptAt,
        ...(alert ? { alertedAt: now } : {}),
      };
      store.saveRecord(host, entry.record);
      logger.error(
        { host, app: entry.app, failures, err: message, nextAttemptAt: new Date(nextAttemptAt) },
        "certificate order failed",
      );
      if (alert && !this.stopped) {
        this.options.alert(
          entry.app,
          entry.config,
          certificateFailedMessage({
            app: entry.app,
            host,
            error: message,
            failures,
            current: entry.certificate?.info,
            nextAttemptAt,
            since: entry.record.failingSince!,
          }),
        );
      }
    }
  }
}
