import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { generate } from "selfsigned";
import { freePort } from "../../runtime/ports.js";
import { onPath, requireExternal } from "../../test-support/external.js";

/** True when the Pebble tests must skip (Pebble absent and not required). */
export function skipWithoutPebble(): boolean {
  return requireExternal("pebble", "pebble", onPath("pebble") && onPath("pebble-challtestsrv"));
}

export interface Pebble {
  directoryUrl: string;
  /** Pebble's own HTTPS certificate (PEM file): what the agent's --acme-ca-file trusts. */
  caFile: string;
  /** The root that signs the certificates Pebble issues, from its management API (/roots/0). */
  root(): Promise<string>;
  /** Makes the fake DNS answer `ip` for `host` (127.0.0.1 by default for every name). */
  resolve(host: string, ip: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Let's Encrypt's test CA on free ports, with its challenge test server as the DNS that resolves every
 * name to 127.0.0.1 (IPv4 only), validating HTTP-01 challenges on `httpPort`: the proxy's plain port.
 * Pebble's own HTTPS certificate is made here, since Debian's package ships none.
 */
export async function startPebble(dir: string, httpPort: number): Promise<Pebble> {
  const [acmePort, managementPort, tlsPort, dnsPort, challManagementPort] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    notAfterDate: new Date(Date.now() + 86_400_000),
    extensions: [
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  const caFile = join(dir, "pebble-https.pem");
  const keyFile = join(dir, "pebble-https.key");
  writeFileSync(caFile, pems.cert);
  writeFileSync(keyFile, pems.private);
  const config = join(dir, "pebble-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: caFile,
        privateKey: keyFile,
        httpPort,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    children.push(
      spawn(
        "pebble-challtestsrv",
        [
          "-dns01",
          `127.0.0.1:${dnsPort}`,
          "-http01",
          "",
          "-https01",
          "",
          "-tlsalpn01",
          "",
          "-management",
          `127.0.0.1:${challManagementPort}`,
          "-defaultIPv6",
          "",
        ],
        { stdio: "ignore" },
      ),
    );
    // No random validation delays, no rejected nonces; an authorization is never reused, so every
    // order is validated for real (a failing challenge must fail a renewal).
    const env = {
      ...process.env,
      PEBBLE_VA_NOSLEEP: "1",
      PEBBLE_WFE_NONCEREJECT: "0",
      PEBBLE_AUTHZREUSE: "0",
    };
    children.push(
      spawn("pebble", ["-config", config, "-dnsserver", `127.0.0.1:${dnsPort}`], { env, stdio: "ignore" }),
    );
    const management = `https://127.0.0.1:${managementPort}`;
    const challtest = `http://127.0.0.1:${challManagementPort}`;
    await waitFor("pebble-challtestsrv", () => post(challtest, "/set-default-ipv4", { ip: "127.0.0.1" }));
    await waitFor("pebble", () => get(`https://127.0.0.1:${acmePort}/dir`, pems.cert));
    return {
      directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
      caFile,
      root: () => get(`${management}/roots/0`, pems.cert),
      resolve: async (host, ip) => {
        await post(challtest, "/add-a", { host: `${host}.`, addresses: [ip] });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitFor(what: string, check: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} did not start: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function get(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function post(base: string, path: string, body: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: "POST" }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
