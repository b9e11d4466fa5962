import { PRODUCTION } from "../../environments/names.js";
import type { CertView } from "../../tls/certs-api.js";
import { type AppTls, DEFAULT_APP_TLS } from "../../tls/config.js";
import type { DashboardDeps } from "../deps.js";

const DAY_MS = 86_400_000;
/** Fewer days left than this is "expiring": the TLS monitor opens an incident at two weeks too (docs/tls.md). */
export const EXPIRING_DAYS = 14;

/**
 * issued: served and not near its end; expiring: fewer than EXPIRING_DAYS left; expired; failed: the
 * last attempt failed, or the host cannot get one as configured (the error says why); pending: none
 * yet, first order coming; off: `tls: off`, the host is plain HTTP.
 */
export type CertState = "issued" | "expiring" | "expired" | "failed" | "pending" | "off";

export interface HostCertificate {
  host: string;
  state: CertState;
  /** acme, files (the app's own cert_file/key_file), or none yet. */
  source: CertView["source"];
  issuer: string | null;
  notAfter: string | null;
  /** Whole days left (negative once expired). */
  daysLeft: number | null;
  renewAt: string | null;
  lastAttempt: CertView["lastAttempt"];
  failures: number;
  nextAttemptAt: string | null;
  /** What went wrong: the last attempt's error, or why no certificate can be had. */
  error: string | null;
  /** Plain HTTP is redirected to HTTPS (https_redirect, once the host has a certificate). */
  httpsOnly: boolean;
  /** Strict-Transport-Security max-age in seconds, when on. */
  hstsMaxAge: number | null;
}

export type CertificatesPanel =
  | { enabled: false }
  | { enabled: true; listen: string | null; hosts: HostCertificate[] };

/**
 * Pure. The certificate of each host of an app's environment: the hosts of its live config (`hosts`,
 * with its `tls`), and any the agent's certificate manager holds for it (`views`: every app's).
 */
export function hostCertificates(
  app: string,
  env: string,
  hosts: readonly string[],
  tls: AppTls | undefined,
  views: readonly CertView[],
  now: number,
): HostCertificate[] {
  const own = views.filter((v) => v.app === app && v.env === env);
  const names = [...new Set([...hosts, ...own.map((v) => v.host)])];
  const config = tls ?? DEFAULT_APP_TLS;
  return names.map((host) => {
    const view = own.find((v) => v.host === host);
    const notAfter = view?.notAfter ? Date.parse(view.notAfter) : null;
    const failed = view?.lastAttempt?.ok === false || Boolean(view?.problem);
    const state: CertState =
      config.mode.kind === "off"
        ? "off"
        : notAfter !== null && notAfter <= now
          ? "expired"
          : failed
            ? "failed"
            : notAfter === null
              ? "pending"
              : notAfter - now < EXPIRING_DAYS * DAY_MS
                ? "expiring"
                : "issued";
    return {
      host,
      state,
      source: view?.source ?? "none",
      issuer: view?.issuer ?? null,
      notAfter: view?.notAfter ?? null,
      daysLeft: notAfter === null ? null : Math.floor((notAfter - now) / DAY_MS),
      renewAt: view?.renewAt ?? null,
      lastAttempt: view?.lastAttempt ?? null,
      failures: view?.failures ?? 0,
      nextAttemptAt: view?.nextAttemptAt ?? null,
      error: view?.problem ?? (view?.lastAttempt?.ok === false ? view.lastAttempt.error : null),
      httpsOnly: config.mode.kind !== "off" && config.httpsRedirect && notAfter !== null && notAfter > now,
      hstsMaxAge: config.mode.kind !== "off" && config.hsts ? config.hsts.maxAgeSeconds : null,
    };
  });
}

/** The Certificates panel's data: off when the agent has no TLS listener; undefined: nothing to show. */
export function loadCertificates(
  deps: DashboardDeps,
  app: string,
  env: string,
  now: number,
): CertificatesPanel | undefined {
  const certs = deps.certs?.();
  if (!certs?.enabled) return env === PRODUCTION ? { enabled: false } : undefined;
  const config = deps.store.releases.live(app, env)?.config;
  return {
    enabled: true,
    listen: certs.listen,
    hosts: hostCertificates(app, env, config?.hosts ?? [], config?.tls, certs.certificates, now),
  };
}
