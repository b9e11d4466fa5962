import { createServer, METHODS, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import fc from "fast-check";
import { RequestReader } from "../http1/request-reader.js";
import { LoadBalancer } from "../load-balancer.js";
import { ProxyServer } from "../proxy.js";
import { Target } from "../target.js";
import { LLHTTP_REQUESTS } from "./llhttp-requests.js";

/**
 * The proxy fuzzer: random and mutated request bytes (heads, chunked and sized bodies, pipelines,
 * llhttp's own fixtures) go to the proxy, in random pieces, in front of a Node app that logs every
 * request its parser (llhttp) sees. The property: the app sees exactly the requests the proxy's own
 * parser read from those bytes, in order, with the same method, target, host and body, and nothing
 * else: no request smuggled in, none changed, no bytes the app cannot parse. Used by
 * src/proxy/proxy.fuzz.test.ts (a few seconds in every run) and `npm run fuzz:proxy` (longer).
 */

/** A request as the app should see it. */
export interface SeenRequest {
  method: string;
  target: string;
  host: string;
  body: string;
}

/** After every input, a last request that closes the connection: what the app saw before it is all. */
const SENTINEL = "GET /__end HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";

/**
 * What the proxy should forward for `bytes`, by its own parser: the requests read whole before the
 * first malformed one, a CONNECT (405) or one that closes the connection; `closes` says whether the
 * proxy then closes the connection (else it waits for more). `appHost` stands in for the Host the
 * proxy adds to an HTTP/1.0 request that had none.
 */
export function expectedRequests(
  bytes: Buffer,
  appHost: string,
): { requests: SeenRequest[]; closes: boolean } {
  const requests: SeenRequest[] = [];
  let current: (SeenRequest & { keepAlive: boolean; chunks: Buffer[] }) | undefined;
  let done = false;
  const reader = new RequestReader({
    head: (head) => {
      if (head.method === "CONNECT") done = true;
      current = {
        method: head.method,
        target: head.target,
        host: head.host ?? appHost,
        body: "",
        keepAlive: head.keepAlive,
        chunks: [],
      };
    },
    data: (data) => current?.chunks.push(Buffer.from(data)),
    end: () => {
      if (done || !current) return;
      const { keepAlive, chunks, ...request } = current;
      requests.push({ ...request, body: Buffer.concat(chunks).toString("latin1") });
      if (!keepAlive) done = true;
    },
  });
  try {
    reader.feed(bytes);
    while (!done && reader.pendingBytes > 0) reader.resume();
  } catch {
    return { requests, closes: true };
  }
  return { requests, closes: done };
}

/** An app that logs what llhttp made of the proxy's bytes, and answers every request "ok". */
class LoggingApp {
  readonly seen: SeenRequest[] = [];
  readonly parseErrors: string[] = [];
  private readonly server: Server;
  private waiter: (() => void) | undefined;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        this.seen.push({
          method: req.method ?? "",
          target: req.url ?? "",
          host: req.headers.host ?? "",
          body: Buffer.concat(chunks).toString("latin1"),
        });
        res.end("ok");
        this.waiter?.();
      });
    });
    this.server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
      this.parseErrors.push(error.code ?? error.message);
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as AddressInfo).port;
  }

  reset(): void {
    this.seen.length = 0;
    this.parseErrors.length = 0;
  }

  /** Resolves once `count` requests were seen (or at once). */
  until(count: number): Promise<void> {
    if (this.seen.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = () => {
        if (this.seen.length < count) return;
        this.waiter = undefined;
        resolve();
      };
    });
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The proxy in front of the logging app, and one exchange at a time through it. */
export class FuzzTarget {
  /** What the inputs so far amounted to: requests the app got (the closing one aside), per kind. */
  readonly counts = { exchanges: 0, forwarded: 0, chunked: 0, pipelined: 0 };
  private readonly app = new LoggingApp();
  private proxy: ProxyServer | undefined;
  private proxyPort = 0;
  private appHost = "";

  async start(): Promise<void> {
    const appPort = await this.app.start();
    this.appHost = `127.0.0.1:${appPort}`;
    this.proxy = new ProxyServer({ host: "127.0.0.1", port: 0 });
    const route = this.proxy.router.set("app", []);
    this.proxy.switch(route, new LoadBalancer("r1", [new Target("127.0.0.1", appPort, () => true)]));
    this.proxyPort = (await this.proxy.start()).port;
  }

  async stop(): Promise<void> {
    await this.proxy?.stop(0);
    await this.app.stop();
  }

  /**
   * Sends `input` (then the closing sentinel) in pieces cut at `cuts`; resolves to a description of
   * what went wrong, or undefined when the app saw exactly what the proxy's parser read.
   */
  async exchange(input: Buffer, cuts: number[]): Promise<string | "skipped" | undefined> {
    const bytes = Buffer.concat([input, Buffer.from(SENTINEL)]);
    const expected = expectedRequests(bytes, this.appHost);
    // The proxy forwards any token as a method (methods are extensible); llhttp refuses those it does
    // not know, and what the proxy does next depends on how the app answers that. Not a question of
    // framing: such inputs are left out.
    if (expected.requests.some((r) => !METHODS.includes(r.method))) return "skipped";
    const forApp = expected.requests;
    this.counts.exchanges++;
    this.counts.forwarded += forApp.filter((r) => r.target !== "/__end").length;
    if (forApp.length > 2) this.counts.pipelined++;
    if (/transfer-encoding:\s*chunked/i.test(bytes.toString("latin1"))) this.counts.chunked++;
    this.app.reset();
    const socket = connect(this.proxyPort, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.resume();
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const pieces = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
    let at = 0;
    for (const cut of [...pieces, bytes.length]) {
      if (cut <= at) continue;
      await new Promise((resolve) => socket.write(bytes.subarray(at, cut), resolve));
      at = cut;
    }
    const outcome = await Promise.race([
      expected.closes ? closed.then(() => "closed") : this.app.until(forApp.length).then(() => "seen"),
      guard(5_000),
    ]);
    socket.destroy();
    if (outcome === "timeout") {
      const pool = JSON.stringify(this.proxy!.router.get("app")!.live!.targets[0]!.pool.stats());
      return expected.closes
        ? `the proxy did not close the connection; the app saw ${JSON.stringify(this.app.seen)}; pool ${pool}`
        : `the app saw ${this.app.seen.length} of ${forApp.length} requests; pool ${pool}`;
    }
    if (this.app.parseErrors.length > 0)
      return `the app could not parse what the proxy sent: ${this.app.parseErrors.join(", ")}`;
    if (JSON.stringify(this.app.seen) !== JSON.stringify(forApp))
      return `the app saw ${JSON.stringify(this.app.seen)}, the proxy's parser read ${JSON.stringify(forApp)}`;
    return undefined;
  }
}

function guard(ms: number): Promise<"timeout"> {
  return new Promise((resolve) => setTimeout(() => resolve("timeout"), ms).unref());
}

// ---- generators ----

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
const method = fc.oneof(
  {
    arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "QUERY"),
    weight: 6,
  },
  { arbitrary: fc.constantFrom(...METHODS), weight: 3 },
  { arbitrary: token, weight: 1 },
);
const target = fc.oneof(
  fc.constantFrom("/", "/a?b=c", "*", "/x/../y", "http://fuzz/abs?q", "https://other:8443"),
  fc
    .string({ unit: fc.constantFrom(..."/abc%?=&#;:@!$'()*+,-._~"), minLength: 1, maxLength: 20 })
    .map((s) => `/${s}`),
);
const headerValue = fc.string({ unit: fc.constantFrom(...'abc 123\t,;="/:\u00e9'), maxLength: 16 });
/** Mostly ordinary fields, now and then one that decides framing or the connection, some of them wrong. */
const header = fc.oneof(
  { arbitrary: fc.tuple(token, headerValue), weight: 6 },
  {
    arbitrary: fc.tuple(
      fc.constantFrom("X-Forwarded-For", "X-Forwarded-Proto", "X-Hop", "Trailer"),
      headerValue,
    ),
    weight: 2,
  },
  {
    arbitrary: fc.tuple(
      fc.constantFrom("Connection"),
      fc.constantFrom("close", "keep-alive", "upgrade", "Upgrade, close", "x-hop"),
    ),
    weight: 2,
  },
  { arbitrary: fc.tuple(fc.constantFrom("Upgrade"), fc.constantFrom("websocket", "h2c")), weight: 1 },
  { arbitrary: fc.tuple(fc.constantFrom("Expect"), fc.constantFrom("100-continue")), weight: 1 },
  {
    arbitrary: fc.tuple(
      fc.constantFrom("Host", "host", "HOST"),
      fc.constantFrom("fuzz", "fuzz:80", "", "a b"),
    ),
    weight: 1,
  },
  {
    arbitrary: fc.tuple(
      fc.constantFrom("Content-Length", "content-length"),
      fc.constantFrom("0", "3", "05", "-1", "3, 3", " 4 "),
    ),
    weight: 1,
  },
  {
    arbitrary: fc.tuple(
      fc.constantFrom("Transfer-Encoding"),
      fc.constantFrom("chunked", "Chunked", "gzip, chunked", "chunked, gzip", "identity"),
    ),
    weight: 1,
  },
);
const chunkExtension = fc.constantFrom("", ";a", ";a=b", ';a="q;\\"x"', ";", " ; a = b", ";=");

/** One request: a head, and a body framed by its length, chunked, or not at all. */
const request = fc
  .record({
    method,
    target,
    version: fc.oneof(
      { arbitrary: fc.constant("HTTP/1.1"), weight: 6 },
      { arbitrary: fc.constant("HTTP/1.0"), weight: 2 },
      { arbitrary: fc.constantFrom("HTTP/2.0", "HTTP/1.2", "http/1.1"), weight: 1 },
    ),
    headers: fc.array(header, { maxLength: 4 }),
    host: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
    framing: fc.constantFrom("none", "length", "chunked", "chunked"),
    body: fc.string({ unit: fc.constantFrom(..."xyz\r\n0;"), maxLength: 20 }),
    chunks: fc.array(
      fc.tuple(fc.string({ unit: fc.constantFrom(..."pq\r\n"), maxLength: 10 }), chunkExtension),
      {
        maxLength: 3,
      },
    ),
    trailers: fc.array(fc.tuple(token, headerValue), { maxLength: 2 }),
  })
  .map((r) => {
    const lines = [`${r.method} ${r.target} ${r.version}`];
    if (r.host) lines.push("Host: fuzz");
    for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
    let body = "";
    if (r.framing === "length") {
      lines.push(`Content-Length: ${r.body.length}`);
      body = r.body;
    } else if (r.framing === "chunked") {
      lines.push("Transfer-Encoding: chunked");
      for (const [data, ext] of r.chunks) {
        if (data.length > 0) body += `${data.length.toString(16)}${ext}\r\n${data}\r\n`;
      }
      body += `0\r\n${r.trailers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
    }
    return `${lines.join("\r\n")}\r\n\r\n${body}`;
  });

/** Small edits that turn a request into a near miss: the inputs where parsers disagree. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.constantFrom("\r", "\n", "\r\n", " ", "\t", ":", "\0", ";", "0", "\r\n\r\n"),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

function mutate(text: string, edits: readonly MutationEdit[]): Buffer {
  let bytes = Buffer.from(text, "latin1");
  for (const edit of edits) {
    if (bytes.length === 0) break;
    const at = edit.at % bytes.length;
    if (edit.kind === "insert") {
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(edit.text, "latin1"), bytes.subarray(at)]);
    } else if (edit.kind === "delete") {
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + edit.length)]);
    } else if (edit.kind === "replace") {
      bytes = Buffer.from(bytes);
      bytes[at] = edit.byte;
    } else {
      bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

type MutationEdit =
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "replace"; at: number; byte: number }
  | { kind: "truncate"; at: number };

/** An input: one to three generated requests or an llhttp fixture, with up to three edits, and where to cut it. */
export const fuzzInput = fc.record({
  text: fc.oneof(
    { arbitrary: fc.array(request, { minLength: 1, maxLength: 3 }).map((rs) => rs.join("")), weight: 3 },
    { arbitrary: fc.constantFrom(...LLHTTP_REQUESTS), weight: 1 },
  ),
  // Half the inputs as generated, half with one to three edits.
  edits: fc.oneof(fc.constant<MutationEdit[]>([]), fc.array(mutation, { minLength: 1, maxLength: 3 })),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
});

export function inputBytes(input: { text: string; edits: readonly MutationEdit[] }): Buffer {
  return mutate(input.text, input.edits);
}
