import { describe, expect, it } from "vitest";
import type { CertView } from "../../tls/certs-api.js";
import { type AppTls, DEFAULT_APP_TLS } from "../../tls/config.js";
import { hostCertificates } from "./certificates.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 10, 12);
const iso = (ms: number) => new Date(ms).toISOString();

function view(host: string, extra: Partial<CertView> = {}): CertView {
  return {
    host,
    app: "notes",
    env: "production",
    source: "acme",
    issuer: "Pebble Intermediate CA",
    notBefore: iso(NOW - 10 * DAY),
    notAfter: iso(NOW + 80 * DAY + 1000),
    renewAt: iso(NOW + 50 * DAY),
    lastAttempt: { at: iso(NOW - 10 * DAY), ok: true, error: null },
    failures: 0,
    nextAttemptAt: null,
    problem: null,
    ...extra,
  };
}

const none = { source: "none" as const, issuer: null, notBefore: null, notAfter: null, renewAt: null };

describe("a host's certificate state", () => {
  it.each([
    [
      "issued",
      view("a.test"),
      DEFAULT_APP_TLS,
      { state: "issued", daysLeft: 80, httpsOnly: true, error: null },
    ],
    [
      "expiring under two weeks",
      view("a.test", { notAfter: iso(NOW + 5 * DAY + 1000) }),
      DEFAULT_APP_TLS,
      { state: "expiring", daysLeft: 5, httpsOnly: true, error: null },
    ],
    [
      "expired",
      view("a.test", { notAfter: iso(NOW - 2 * DAY) }),
      DEFAULT_APP_TLS,
      { state: "expired", daysLeft: -2, httpsOnly: false, error: null },
    ],
    [
      "a first order failed: failed with its error, plain HTTP",
      view("a.test", {
        ...none,
        lastAttempt: { at: iso(NOW - 60_000), ok: false, error: "connection refused" },
        failures: 2,
        nextAttemptAt: iso(NOW + 5 * 60_000),
      }),
      DEFAULT_APP_TLS,
      { state: "failed", daysLeft: null, httpsOnly: false, error: "connection refused", failures: 2 },
    ],
    [
      "a renewal failing: failed, still served and redirected",
      view("a.test", {
        lastAttempt: { at: iso(NOW - 60_000), ok: false, error: "rate limited" },
        failures: 1,
      }),
      DEFAULT_APP_TLS,
      { state: "failed", daysLeft: 80, httpsOnly: true, error: "rate limited" },
    ],
    [
      "cannot get one as configured",
      view("*.a.test", {
        ...none,
        lastAttempt: null,
        problem: "a wildcard needs tls: { cert_file, key_file }",
      }),
      DEFAULT_APP_TLS,
      { state: "failed", error: "a wildcard needs tls: { cert_file, key_file }", httpsOnly: false },
    ],
    [
      "no certificate yet",
      view("a.test", { ...none, lastAttempt: null }),
      DEFAULT_APP_TLS,
      { state: "pending", daysLeft: null, httpsOnly: false },
    ],
    [
      "https_redirect: false",
      view("a.test"),
      { ...DEFAULT_APP_TLS, httpsRedirect: false },
      { state: "issued", httpsOnly: false },
    ],
    [
      "hsts",
      view("a.test"),
      { ...DEFAULT_APP_TLS, hsts: { maxAgeSeconds: 31_536_000, includeSubdomains: false } },
      { httpsOnly: true, hstsMaxAge: 31_536_000 },
    ],
  ] as Array<[string, CertView, AppTls, object]>)("%s", (_, cert, tls, expected) => {
    const [host] = hostCertificates("notes", "production", [cert.host], tls, [cert], NOW);
    expect(host).toMatchObject(expected);
  });

  it("lists the config's hosts (pending until the manager has them) and only this app's, in this environment", () => {
    const views = [
      view("a.test"),
      view("other.test", { app: "other" }),
      view("staging.test", { env: "staging" }),
    ];
    const hosts = hostCertificates(
      "notes",
      "production",
      ["a.test", "new.test"],
      DEFAULT_APP_TLS,
      views,
      NOW,
    );
    expect(hosts.map((h) => [h.host, h.state])).toEqual([
      ["a.test", "issued"],
      ["new.test", "pending"],
    ]);
  });

  it("tls: off: the hosts are plain HTTP, whatever is stored", () => {
    const off: AppTls = {
      ...DEFAULT_APP_TLS,
      mode: { kind: "off" },
      hsts: { maxAgeSeconds: 1, includeSubdomains: false },
    };
    const [host] = hostCertificates("notes", "production", ["a.test"], off, [], NOW);
    expect(host).toMatchObject({ state: "off", httpsOnly: false, hstsMaxAge: null });
  });
});
