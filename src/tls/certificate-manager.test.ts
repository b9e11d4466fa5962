import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { generate } from "selfsigned";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AlertMessage } from "../alerts/message.js";
import { parseAppConfig } from "../config/load.js";
import { CertStore } from "./cert-store.js";
import { type KeyedCertificate, readCertificate } from "./certificate.js";
import { CertificateManager, type Deployment } from "./certificate-manager.js";
import { TlsEdge } from "./edge-policy.js";
import { ownTlsMonitors } from "./own-monitors.js";
import { SniContexts } from "./sni.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "skiff-certs-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A self-signed certificate for `names`, as an ACME CA or an operator would hand it over. */
async function certificate(names: string[], days = 90): Promise<KeyedCertificate> {
  const pems = await generate([{ name: "commonName", value: names[0]! }], {
    keyType: "ec",
    curve: "P-256",
    notAfterDate: new Date(Date.now() + days * 86_400_000),
    extensions: [{ name: "subjectAltName", altNames: names.map((value) => ({ type: 2 as const, value })) }],
  });
  return readCertificate(pems.cert, pems.private);
}

function deployment(app: string, yaml: string): Deployment {
  return { app, env: "production", config: parseAppConfig(`app: ${app}\nstart: node server.js\n${yaml}`) };
}

function manager(
  deployments: Deployment[],
  issue: (host: string) => Promise<KeyedCertificate>,
  overrides: Partial<ConstructorParameters<typeof CertificateManager>[0]> = {},
) {
  const dir = tempDir();
  const store = new CertStore(join(dir, "certs"));
  const sni = new SniContexts();
  const edge = new TlsEdge(
    () => undefined,
    () => 443,
  );
  const alerts: AlertMessage[] = [];
  const served = new Map<string, number | undefined>();
  const m = new CertificateManager({
    store,
    issuer: { issue },
    sni,
    edge,
    logger: pino({ level: "silent" }),
    deployments: () => deployments,
    alert: (_app, _config, message) => alerts.push(message),
    onServed: (host, info) => served.set(host, info?.notAfter),
    ...overrides,
  });
  cleanups.push(() => m.stop());
  return { m, store, sni, edge, alerts, served, dir };
}

describe("CertificateManager", () => {
  it("orders a certificate for each host, saves it 0600, serves it and redirects only once it is served", async () => {
    const issued = await certificate(["a.example.com"]);
    const issue = vi.fn(async () => issued);
    const { m, store, sni, edge } = manager(
      [deployment("a", "host: [a.example.com, '*.wild.example.com']\n")],
      issue,
    );
    m.sync();
    expect(edge.hosts.get("a.example.com")).toBeUndefined();
    await vi.waitFor(() => expect(sni.has("a.example.com")).toBe(true));
    expect(issue).toHaveBeenCalledTimes(1);
    expect(edge.hosts.get("a.example.com")).toMatchObject({ redirect: true });
    expect(store.load("a.example.com")).toMatchObject({ info: { serial: issued.info.serial } });
    const { statSync } = await import("node:fs");
    expect(statSync(store.pemFile("a.example.com")).mode & 0o777).toBe(0o600);
    const views = m.views();
    expect(views.map((v) => [v.host, v.source, v.problem !== null])).toEqual([
      ["*.wild.example.com", "none", true],
      ["a.example.com", "acme", false],
    ]);
  });

  it("backs off after a failure, alerts once per run of failures, keeps the served certificate, and says when it recovers", async () => {
    const old = await certificate(["b.example.com"], 5);
    let fail = true;
    const issue = vi.fn(async () => {
      if (fail)
        throw new Error("Invalid response from http://b.example.com/.well-known/acme-challenge/x: 404");
      return certificate(["b.example.com"]);
    });
    const { m, store, sni, alerts } = manager([deployment("b", "host: b.example.com\n")], issue, {
      renewBeforeMs: 30 * 86_400_000,
      minRenewIntervalMs: 0,
      backoff: { firstMs: 40, maxMs: 40 },
    });
    store.save("b.example.com", old);
    m.sync();
    await vi.waitFor(() => expect(issue.mock.calls.length).toBeGreaterThanOrEqual(3));
    expect(alerts.map((a) => a.kind)).toEqual(["cert-failed"]);
    expect(alerts[0]!.title).toBe("b: the certificate of b.example.com could not be renewed");
    expect(sni.has("b.example.com")).toBe(true);
    expect(m.views()[0]).toMatchObject({
      source: "acme",
      lastAttempt: { ok: false },
      notAfter: new Date(old.info.notAfter).toISOString(),
    });
    fail = false;
    await vi.waitFor(() => expect(alerts.map((a) => a.kind)).toEqual(["cert-failed", "cert-recovered"]));
    expect(m.views()[0]).toMatchObject({ failures: 0, lastAttempt: { ok: true } });
    expect(store.load("b.example.com")).not.toMatchObject({ info: { serial: old.info.serial } });
  });

  it("serves the app's own files, reloads them when they change, and keeps the last good pair when the new one is broken", async () => {
    const dir = tempDir();
    const certFile = join(dir, "fullchain.pem");
    const keyFile = join(dir, "privkey.pem");
    const first = await certificate(["own.example.com"]);
    writeFileSync(certFile, first.chainPem);
    writeFileSync(keyFile, first.keyPem);
    const issue = vi.fn(async (): Promise<KeyedCertificate> => {
      throw new Error("never ordered");
    });
    const { m, served } = manager(
      [deployment("own", `host: own.example.com\ntls: { cert_file: ${certFile}, key_file: ${keyFile} }\n`)],
      issue,
      { ownFilesPollMs: 20 },
    );
    m.sync();
    expect(m.views()[0]).toMatchObject({
      source: "files",
      notAfter: new Date(first.info.notAfter).toISOString(),
    });
    // A key that is not the certificate's: refused, the first pair keeps serving.
    const other = await certificate(["own.example.com"], 30);
    writeFileSync(keyFile, other.keyPem);
    await vi.waitFor(() => expect(m.views()[0]!.problem).toContain("does not belong to the certificate"));
    expect(m.views()[0]!.notAfter).toBe(new Date(first.info.notAfter).toISOString());
    writeFileSync(join(dir, "next.pem"), other.chainPem);
    copyFileSync(join(dir, "next.pem"), certFile);
    await vi.waitFor(() => expect(m.views()[0]!.notAfter).toBe(new Date(other.info.notAfter).toISOString()));
    expect(m.views()[0]!.problem).toBeNull();
    expect(served.get("own.example.com")).toBe(other.info.notAfter);
    expect(issue).not.toHaveBeenCalled();
  });

  it("stops serving a host no live release has any more", async () => {
    const deployments = [deployment("c", "host: c.example.com\n")];
    const { m, sni, edge, served, store } = manager(deployments, async () => certificate(["c.example.com"]));
    store.save("c.example.com", await certificate(["c.example.com"]));
    m.sync();
    expect(sni.has("c.example.com")).toBe(true);
    deployments.pop();
    m.sync();
    expect(sni.has("c.example.com")).toBe(false);
    expect(edge.hosts.get("c.example.com")).toBeUndefined();
    expect(served.get("c.example.com")).toBeUndefined();
  });
});

describe("ownTlsMonitors", () => {
  it.each([
    ["host: [a.example.com, '*.b.example.com']\n", ["tls:a.example.com"]],
    ["host: a.example.com\ntls: off\n", []],
    ["", []],
  ])("%j", (yaml, names) => {
    const monitors = ownTlsMonitors(deployment("x", yaml).config, { host: "127.0.0.1", port: 8443 });
    expect(monitors.map((m) => m.name)).toEqual(names);
    for (const m of monitors)
      expect(m.target).toEqual({
        kind: "tls",
        host: "a.example.com",
        port: 8443,
        address: "127.0.0.1",
        expiresWithinMs: 14 * 86_400_000,
      });
  });
});
