import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1; `port` reuses a port, to bring a stopped server back at the same address. */
export async function startHttp(handler: Handler, port = 0): Promise<TestServer> {
  return listen(createHttpServer(handler), "http", port);
}

export async function startHttps(cert: TestCert, handler: Handler): Promise<TestServer> {
  return listen(createHttpsServer({ key: cert.key, cert: cert.cert }, handler), "https", 0);
}

async function listen(server: Server, scheme: string, port: number): Promise<TestServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `${scheme}://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestCert {
  key: string;
  cert: string;
}

/** A self-signed certificate for 127.0.0.1, valid from `fromDays` to `toDays` relative to now. */
export async function makeCert(toDays: number, fromDays = -1): Promise<TestCert> {
  const day = 86_400_000;
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    curve: "P-256",
    notBeforeDate: new Date(Date.now() + fromDays * day),
    notAfterDate: new Date(Date.now() + toDays * day),
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  return { key: pems.private, cert: pems.cert };
}

/** A port that nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = await startHttp(() => {});
  await server.close();
  return server.port;
}
