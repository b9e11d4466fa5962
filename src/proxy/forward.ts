import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import { downstreamResponseHeaders, upstreamRequestHeaders } from "./headers.js";
import type { LoadBalancer } from "./load-balancer.js";
import type { Route } from "./router.js";
import type { Target } from "./target.js";

/** One try plus this many retries for a request that met a dead upstream socket before any response byte. */
const MAX_ATTEMPTS = 4;
/** Request bodies up to this size are read first, so the request can be replayed on another connection. */
const REPLAYABLE_BODY_LIMIT = 64 * 1024;

export type Body = Buffer | IncomingMessage | null;

/**
 * Sends one client request to the live release of `route` and streams the answer back.
 * A request is retried (on the route's live release, on another connection) when the upstream failed
 * before sending any response byte and the request can be replayed: no body, or a body we hold in full.
 */
export class ForwardedRequest implements Dispatcher.DispatchHandler {
  private attempts = 0;
  private lb: LoadBalancer | undefined;
  private target: Target | undefined;
  private abortUpstream: ((error?: Error) => void) | undefined;
  private resume: (() => void) | undefined;
  private responded = false;
  private status = 0;
  private readonly started = performance.now();
  private done = false;
  private readonly headers: string[];

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly route: Route,
    private readonly body: Body,
  ) {
    this.headers = upstreamRequestHeaders(req);
    res.once("close", () => {
      // The client went away: free the upstream connection rather than let a small pool fill up.
      if (!this.done) this.abortUpstream?.(new Error("client closed the connection"));
    });
  }

  send(): void {
    const lb = this.route.live;
    const target = lb?.pick();
    if (!lb || !target) {
      this.fail(503, `no healthy instance of ${this.route.app}`);
      return;
    }
    this.attempts++;
    this.lb = lb;
    this.target = target;
    this.abortUpstream = undefined;
    lb.inflight++;
    target.inflight++;
    target.pool.dispatch(
      {
        path: this.req.url ?? "/",
        method: this.req.method as Dispatcher.HttpMethod,
        headers: this.headers,
        body: this.body,
      },
      this,
    );
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.res.destroyed) abort(new Error("client closed the connection"));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx informational answers (100 Continue, 103 Early Hints) are the connection's business.
    if (statusCode < 200) return true;
    this.responded = true;
    this.status = statusCode;
    this.resume = resume;
    if (statusCode >= 500) this.lb!.counts.errors5xx++;
    this.res.writeHead(statusCode, statusText, downstreamResponseHeaders(rawHeaders));
    return true;
  }

  onData(chunk: Buffer): boolean {
    const flushed = this.res.write(chunk);
    if (!flushed) this.res.once("drain", this.resume!);
    return flushed;
  }

  onComplete(): void {
    this.finishAttempt();
    this.done = true;
    this.lb!.counts.requests++;
    this.lb!.observe?.(this.status, performance.now() - this.started);
    this.res.end();
  }

  onError(error: Error): void {
    this.finishAttempt();
    if (this.res.destroyed) {
      this.done = true;
      return;
    }
    const replayable = this.body === null || Buffer.isBuffer(this.body);
    if (!this.responded && replayable && this.attempts < MAX_ATTEMPTS) {
      this.send();
      return;
    }
    this.done = true;
    this.lb!.counts.requests++;
    this.lb!.observe?.(this.responded ? this.status : 502, performance.now() - this.started);
    if (!this.res.headersSent) this.fail(502, `${this.route.app} did not answer: ${error.message}`);
    else this.res.destroy(error);
  }

  private finishAttempt(): void {
    this.lb!.inflight--;
    this.target!.inflight--;
  }

  private fail(status: number, message: string): void {
    this.done = true;
    if (this.lb) this.lb.counts.failed++;
    respondPlain(this.res, status, message);
  }
}

export function respondPlain(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "x-skiff": "proxy" });
  res.end(`${message}\n`);
}

/**
 * The request body as the upstream should get it: null when there is none, the whole body when small
 * (so the request can be retried), else the stream itself.
 */
export function readBody(req: IncomingMessage): Promise<Body> | Body {
  const length = req.headers["content-length"];
  const chunked = req.headers["transfer-encoding"] !== undefined;
  if (!chunked && (length === undefined || length === "0")) return null;
  if (chunked || Number(length) > REPLAYABLE_BODY_LIMIT) return req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}
