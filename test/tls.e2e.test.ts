import { mkdirSync } from "node:fs";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";
import { join } from "node:path";
import {
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocket,
  connect as tlsConnect,
} from "node:tls";
import pino from "pino";
import { request } from "undici";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Agent } from "../src/agent/agent.js";
import { startReceiver } from "../src/alerts/test-support/receivers.js";
import { AgentClient } from "../src/cli/client.js";
import { freePort } from "../src/runtime/ports.js";
import type { CertsResponse } from "../src/tls/certs-api.js";
import { type Pebble, skipWithoutPebble, startPebble } from "../src/tls/test-support/pebble.js";
import type { TlsSettings } from "../src/tls/tls-service.js";
import { deploy, get, rollback } from "./support/agent.js";
import { createAppRepo, setBehaviour } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TEN_YEARS_MS = 10 * 365 * 86_400_000;

interface Setup {
  pebble: Pebble;
  root: string;
  httpPort: number;
  dataDir: string;
}

/** Pebble validating on a port the agent's proxy will listen on, and a data directory for the agent. */
async function setup(): Promise<Setup> {
  const httpPort = await freePort();
  const dir = tempDir();
  const pebble = await startPebble(dir, httpPort);
  cleanups.push(() => pebble.stop());
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  return { pebble, root: await pebble.root(), httpPort, dataDir };
}

async function startAgent(s: Setup, tls: Partial<TlsSettings> = {}) {
  const agent = new Agent({
    // Like test/support/agent.ts: no system users for test apps.
    isolation: "off",
    dataDir: s.dataDir,
    listen: { host: "127.0.0.1", port: s.httpPort },
    api: { host: "127.0.0.1", port: 0 },
    logger: pino({ level: process.env.SKIFF_TEST_LOG ?? "silent" }),
    tls: {
      listen: { host: "127.0.0.1", port: 0 },
      acme: { directoryUrl: s.pebble.directoryUrl, caFile: s.pebble.caFile, email: "ops@example.com" },
      ...tls,
    },
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await agent.stop();
  };
  cleanups.push(stop);
  const info = await agent.start();
  const tlsPort = Number(new URL(info.tls!).port);
  return { agent, info, tlsPort, client: new AgentClient(info.api, agent.token), stop };
}

function appRepo(app: string, host: string, extra = ""): string {
  return createAppRepo(join(tempDir(), app), app, { version: "v1" }, `host: ${host}\n${extra}`);
}

interface HttpsAnswer {
  status: number;
  body: string;
  headers: Record<string, unknown>;
  cert: PeerCertificate;
  socket: TLSSocket;
  reused: boolean;
}

/** An HTTPS request to the agent's TLS port for `host`, trusting only `ca` (Pebble's root). */
function httpsGet(
  port: number,
  host: string,
  path: string,
  ca: string,
  agent?: HttpsAgent,
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const options: RequestOptions & ConnectionOptions = {
      host: "127.0.0.1",
      port,
      path,
      servername: host,
      headers: { host },
      ca,
      agent: agent ?? false,
      ALPNProtocols: ["http/1.1"],
    };
    const req = httpsRequest(options, (res) => {
      // Read now: a keep-alive socket is handed back to its agent (and off the response) once the body ends.
      const socket = res.socket as TLSSocket;
      const cert = socket.getPeerCertificate();
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          headers: res.headers,
          cert,
          socket,
          reused: req.reusedSocket,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** A bare handshake asking for `servername` (none: no SNI); resolves to the served certificate or the error. */
function handshake(port: number, servername: string | undefined): Promise<PeerCertificate | Error> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: "127.0.0.1",
      port,
      ...(servername ? { servername } : {}),
      rejectUnauthorized: false,
    });
    socket.once("secureConnect", () => {
      resolve(socket.getPeerCertificate());
      socket.destroy();
    });
    socket.once("error", (error) => resolve(error));
  });
}

async function certs(client: AgentClient): Promise<CertsResponse> {
  return client.json<CertsResponse>("GET", "/v1/certs");
}

/** Waits until `host` is served a certificate Pebble's root verifies; returns its serial. */
async function servedSerial(port: number, host: string, root: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const answer = await httpsGet(port, host, "/", root);
      return answer.cert.serialNumber;
    },
    { timeout: 30_000, interval: 100 },
  );
}

describe.skipIf(skipWithoutPebble())("HTTPS with certificates from an ACME CA (Pebble)", () => {
  it("issues a certificate on the first deploy, serves it by SNI, redirects HTTP, and never serves it for another name", async () => {
    const s = await setup();
    const { tlsPort, client, info, agent } = await startAgent(s);
    await deploy(client, appRepo("web", "web.test"));
    await deploy(client, appRepo("plain", "plain.test", "tls: off\n"));

    const serial = await servedSerial(tlsPort, "web.test", s.root);
    const answer = await httpsGet(tlsPort, "web.test", "/echo", s.root);
    expect(answer.status).toBe(200);
    expect(answer.socket.alpnProtocol).toBe("http/1.1");
    expect(answer.cert.subjectaltname).toBe("DNS:web.test");
    expect(JSON.parse(answer.body).headers["x-forwarded-proto"]).toBe("https");
    expect(answer.headers["strict-transport-security"]).toBeUndefined();

    // Unknown names, names of apps without TLS, and no SNI at all: a failed handshake, not web.test's certificate.
    for (const name of ["unknown.test", "plain.test", undefined]) {
      const result = await handshake(tlsPort, name);
      expect(result, `SNI ${name}`).toBeInstanceOf(Error);
    }

    // Plain HTTP: 308 to https for the host with a certificate; the challenge path and tls: off are not redirected.
    const redirected = await get(`http://127.0.0.1:${s.httpPort}/a/b?c=1`, "web.test");
    expect(redirected.status).toBe(308);
    expect(redirected.headers.location).toBe(`https://web.test:${tlsPort}/a/b?c=1`);
    const challenge = await get(
      `http://127.0.0.1:${s.httpPort}/.well-known/acme-challenge/not-a-token`,
      "web.test",
    );
    expect(challenge.status).toBe(200);
    expect(JSON.parse(challenge.body).version).toBe("v1");
    expect((await get(`http://127.0.0.1:${s.httpPort}/`, "plain.test")).status).toBe(200);

    // skiff certs and /metrics.
    const view = await certs(client);
    expect(view.enabled).toBe(true);
    expect(view.certificates).toEqual([
      expect.objectContaining({
        host: "web.test",
        app: "web",
        source: "acme",
        issuer: expect.stringContaining("Pebble Intermediate CA"),
        failures: 0,
        lastAttempt: expect.objectContaining({ ok: true, error: null }),
      }),
    ]);
    const notAfter = Date.parse(view.certificates[0]!.notAfter!);
    expect(notAfter).toBe(Date.parse(answer.cert.valid_to));
    const metrics = await (
      await request(`${info.api}/metrics`, { headers: { authorization: `Bearer ${agent.token}` } })
    ).body.text();
    expect(metrics).toContain(
      `skiff_certificate_expiry_timestamp_seconds{host="web.test"} ${Math.floor(notAfter / 1000)}`,
    );
    expect(serial).toBe(answer.cert.serialNumber);
  });

  it("tunnels a WebSocket upgrade over TLS (wss) with X-Forwarded-Proto: https", async () => {
    const s = await setup();
    const { tlsPort, client } = await startAgent(s);
    await deploy(client, appRepo("ws", "ws.test"));
    await servedSerial(tlsPort, "ws.test", s.root);
    const socket = tlsConnect({ host: "127.0.0.1", port: tlsPort, servername: "ws.test", ca: s.root });
    cleanups.push(async () => socket.destroy());
    await new Promise((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.write("GET /ws HTTP/1.1\r\nhost: ws.test\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n");
    await vi.waitFor(() => expect(received).toContain("\r\n\r\n"));
    expect(received).toMatch(/^HTTP\/1\.1 101 /);
    expect(received).toContain("x-forwarded-proto: https");
    socket.write("ping over the tunnel");
    await vi.waitFor(() => expect(received).toContain("ping over the tunnel"));
  });

  it("keeps every HTTPS request answered through a deploy and a rollback under load", async () => {
    const s = await setup();
    const { tlsPort, client } = await startAgent(s);
    const repo = appRepo("busy", "busy.test");
    await deploy(client, repo);
    await servedSerial(tlsPort, "busy.test", s.root);
    const keepAlive = new HttpsAgent({ keepAlive: true, maxSockets: 4 });
    cleanups.push(async () => keepAlive.destroy());
    const versions = new Set<string>();
    const failures: string[] = [];
    let sent = 0;
    let running = true;
    // Four keep-alive connections and one new connection per request, bounded by the deploy and rollback.
    const lanes = Array.from({ length: 5 }, async (_, lane) => {
      while (running) {
        sent++;
        try {
          const answer = await httpsGet(tlsPort, "busy.test", "/", s.root, lane < 4 ? keepAlive : undefined);
          if (answer.status !== 200) failures.push(`HTTP ${answer.status}`);
          else versions.add(JSON.parse(answer.body).version);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    });
    try {
      setBehaviour(repo, { version: "v2" });
      expect((await deploy(client, repo)).result.ok).toBe(true);
      await vi.waitFor(() => expect(versions).toContain("v2"));
      expect((await rollback(client, "busy")).result.ok).toBe(true);
      const rolledBackAt = sent;
      await vi.waitFor(() => expect(sent).toBeGreaterThan(rolledBackAt + 50));
    } finally {
      running = false;
      await Promise.all(lanes);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    expect([...versions].sort()).toEqual(["v1", "v2"]);
  });

  it("renews when the renewal window is longer than the certificate's life, without dropping an open connection", async () => {
    const s = await setup();
    const { tlsPort, client } = await startAgent(s, {
      renewBeforeMs: TEN_YEARS_MS,
      minRenewIntervalMs: 1500,
    });
    await deploy(client, appRepo("renew", "renew.test", "hsts: { max_age: 1h }\n"));
    const keepAlive = new HttpsAgent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(async () => keepAlive.destroy());
    const first = await vi.waitFor(() => httpsGet(tlsPort, "renew.test", "/", s.root, keepAlive), {
      timeout: 30_000,
      interval: 100,
    });
    expect(first.headers["strict-transport-security"]).toBe("max-age=3600");
    const firstSerial = first.cert.serialNumber;
    // A new connection gets the renewed certificate…
    await vi.waitFor(
      async () => {
        const fresh = await httpsGet(tlsPort, "renew.test", "/", s.root);
        expect(fresh.cert.serialNumber).not.toBe(firstSerial);
      },
      { timeout: 30_000, interval: 200 },
    );
    // …while the connection opened before it keeps working, with the certificate it was opened with.
    const again = await httpsGet(tlsPort, "renew.test", "/", s.root, keepAlive);
    expect(again.reused).toBe(true);
    expect(again.socket).toBe(first.socket);
    expect(again.status).toBe(200);
    expect(again.cert.serialNumber).toBe(firstSerial);
    const view = await certs(client);
    expect(view.certificates[0]).toMatchObject({ host: "renew.test", failures: 0 });
  });

  it("serves the same certificate after a restart without a new order; a failing challenge alerts and keeps it", async () => {
    const s = await setup();
    const hook = await startReceiver();
    cleanups.push(() => hook.close());
    const repo = appRepo("keep", "keep.test", `alerts:\n  - webhook: { url: ${hook.url}/alerts }\n`);

    const first = await startAgent(s);
    await deploy(first.client, repo);
    const serial = await servedSerial(first.tlsPort, "keep.test", s.root);
    const issued = (await certs(first.client)).certificates[0]!;
    await first.stop();

    // Restart: the stored certificate is served at once and no order is placed.
    const second = await startAgent(s);
    expect((await httpsGet(second.tlsPort, "keep.test", "/", s.root)).cert.serialNumber).toBe(serial);
    const afterRestart = (await certs(second.client)).certificates[0]!;
    expect(afterRestart.lastAttempt).toEqual(issued.lastAttempt);
    expect(Date.parse(afterRestart.renewAt!)).toBeGreaterThan(Date.now() + 365 * 86_400_000);
    await second.stop();

    // The host's DNS now points elsewhere, and the renewal is due: the challenge fails.
    await s.pebble.resolve("keep.test", "127.0.0.2");
    const third = await startAgent(s, {
      renewBeforeMs: TEN_YEARS_MS,
      minRenewIntervalMs: 0,
      backoff: { firstMs: 3_600_000, maxMs: 3_600_000 },
    });
    await vi.waitFor(
      () => expect(hook.received.map((r) => r.headers["x-skiff-event"])).toContain("cert-failed"),
      {
        timeout: 30_000,
        interval: 100,
      },
    );
    const alert = JSON.parse(hook.received.find((r) => r.headers["x-skiff-event"] === "cert-failed")!.body);
    expect(alert.title).toBe("keep: the certificate of keep.test could not be renewed");
    expect(alert.details.join("\n")).toContain("The current certificate keeps serving");
    expect((await httpsGet(third.tlsPort, "keep.test", "/", s.root)).cert.serialNumber).toBe(serial);
    const failed = (await certs(third.client)).certificates[0]!;
    expect(failed).toMatchObject({ failures: 1, lastAttempt: { ok: false } });
    expect(failed.lastAttempt!.error).toBeTruthy();
    expect(Date.parse(failed.nextAttemptAt!)).toBeGreaterThan(Date.now() + 30 * 60_000);
  });
});
