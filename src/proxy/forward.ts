import type { Socket } from "node:net";
import type { ClientConnection } from "./client-connection.js";
import { upstreamRequestHead } from "./headers.js";
import type { Framing, RequestHead, ResponseHead } from "./http1/head.js";
import type { LoadBalancer } from "./load-balancer.js";
import type { Route } from "./router.js";
import type { Target } from "./target.js";
import type { UpstreamConnection, UpstreamRequest } from "./upstream-connection.js";

/** One try plus this many retries for a request that met a dead upstream socket before any response byte. */
const MAX_ATTEMPTS = 4;

/**
 * One client request on its way to the live release of its route, and the answer on its way back.
 * A body up to `bodyBufferBytes` (chunked ones too) is read whole before a connection to the app is
 * taken: a client that sends it slowly holds only its own connection, and the request can be replayed.
 * A request is retried (on the route's live release at that moment, on another connection) when the
 * upstream failed before sending any byte and it can be replayed: no body, or a body held whole.
 * Larger bodies are streamed once the buffer is full, and never replayed. An Upgrade request is an HTTP
 * request like any other until the app answers 101; only then does the connection become a tunnel.
 */
export class ForwardedRequest implements UpstreamRequest {
  readonly method: string;
  readonly upgrade: boolean;
  cancelled = false;
  private headText: string | undefined;
  /** How the body goes to the app: as the client framed it, or with a length once it was read whole. */
  private framing: Framing;
  private streaming = false;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private bodyEnded: boolean;
  private attempts = 0;
  private inAttempt = false;
  private lb: LoadBalancer | undefined;
  private target: Target | undefined;
  private upstream: UpstreamConnection | undefined;
  private responded = false;
  private status = 0;
  private readonly started = performance.now();
  private done = false;

  constructor(
    private readonly client: ClientConnection,
    private readonly request: RequestHead,
    private readonly route: Route,
    private readonly bodyBufferBytes: number,
  ) {
    this.method = request.method;
    this.upgrade = request.upgrade;
    this.framing = request.body;
    this.bodyEnded = request.body.kind === "none";
  }

  /** Sends it now when it has no body to wait for; else once the body is read, or the buffer is full. */
  start(): void {
    if (this.bodyEnded) this.send();
  }

  requestData(chunk: Buffer): void {
    if (this.done) return;
    this.chunks.push(chunk);
    if (this.streaming) {
      if (this.upstream) this.flushBody();
      // Waiting for a connection: hold the client rather than the whole upload in memory.
      else this.client.pauseReading();
      return;
    }
    this.buffered += chunk.length;
    if (this.buffered > this.bodyBufferBytes) {
      this.streaming = true;
      this.send();
    }
  }

  requestEnd(): void {
    if (this.done) return;
    this.bodyEnded = true;
    if (!this.streaming) {
      // The whole body is here: a chunked one goes on with its length, so it is replayable like the rest.
      if (this.framing.kind === "chunked") this.framing = { kind: "length", length: this.buffered };
      if (this.attempts === 0) this.send();
    } else if (this.upstream) {
      this.flushBody();
    }
  }

  /** The client went away: give up, and free the upstream connection rather than let a small pool fill. */
  clientGone(): void {
    if (this.done) return;
    this.done = true;
    this.cancelled = true;
    this.upstream?.abort();
    this.finishAttempt();
  }

  attached(connection: UpstreamConnection): void {
    this.upstream = connection;
    this.headText ??= upstreamRequestHead(
      this.request,
      this.client.remoteAddress,
      this.framing,
      this.client.secure ? "https" : "http",
    );
    if (this.request.host === undefined && this.attempts === 1) this.addHost();
    if (!this.streaming) {
      connection.write(
        this.chunks.length === 0
          ? this.headText
          : Buffer.concat([Buffer.from(this.headText, "latin1"), ...this.chunks]),
      );
      return;
    }
    connection.write(this.headText);
    this.client.resumeReading();
    this.flushBody();
  }

  informational(head: ResponseHead): void {
    this.client.writeInformational(head);
  }

  head(head: ResponseHead): void {
    this.responded = true;
    this.status = head.status;
    if (head.status >= 500) this.lb!.counts.errors5xx++;
    if (!this.bodyEnded) {
      // The app answered before the whole body was sent: neither connection can carry another request.
      this.upstream!.unusable();
      this.client.closeAfterResponse();
    }
    this.client.writeResponseHead(head);
  }

  data(chunk: Buffer): void {
    if (!this.client.writeBody(chunk)) {
      const upstream = this.upstream!;
      upstream.pause();
      this.client.onDrain(() => upstream.resume());
    }
  }

  end(): void {
    this.finishAttempt();
    this.done = true;
    this.lb!.counts.requests++;
    this.lb!.observe?.(this.status, performance.now() - this.started);
    this.client.endResponse();
  }

  failed(error: Error, answered: boolean): void {
    if (this.done) return;
    this.finishAttempt();
    if (!answered && !this.streaming && this.attempts < MAX_ATTEMPTS) {
      this.send();
      return;
    }
    this.done = true;
    this.lb!.counts.requests++;
    this.lb!.observe?.(this.responded ? this.status : 502, performance.now() - this.started);
    if (this.responded) this.client.destroy();
    else this.client.respondError(502, `${this.route.app} did not answer: ${error.message}`);
  }

  /**
   * The app answered 101: from now on the client and the app talk directly. The tunnel counts as in
   * flight on the release until it closes, so a drain waits for it (and closes it past its timeout).
   */
  switched(head: ResponseHead, socket: Socket, rest: Buffer): void {
    this.done = true;
    const lb = this.lb!;
    lb.counts.requests++;
    lb.observe?.(101, performance.now() - this.started);
    if (!this.bodyEnded) {
      // Switched before the request body was all sent: what the client sends next is neither.
      socket.destroy();
      this.finishAttempt();
      this.client.destroy();
      return;
    }
    this.client.tunnel(head, socket, rest, lb, () => this.finishAttempt());
  }

  /** The pool took the connection back: this request's client held it up (too slow to send or to read). */
  reclaimed(): void {
    if (this.done) return;
    this.done = true;
    this.cancelled = true;
    this.finishAttempt();
    this.client.tooSlow(this.responded ? "send" : "body");
  }

  private send(): void {
    const lb = this.route.live;
    const target = lb?.pick();
    if (!lb || !target) {
      this.done = true;
      if (lb) {
        lb.counts.failed++;
        lb.observe?.(503, performance.now() - this.started);
      }
      this.client.respondError(503, `no healthy instance of ${this.route.app}`);
      return;
    }
    this.attempts++;
    this.inAttempt = true;
    this.lb = lb;
    this.target = target;
    this.upstream = undefined;
    lb.inflight++;
    target.inflight++;
    target.pool.dispatch(this);
  }

  /** Streams the body read so far to the app, pausing the client while the app's side is full. */
  private flushBody(): void {
    const upstream = this.upstream!;
    const chunked = this.framing.kind === "chunked";
    let flushed = true;
    for (const chunk of this.chunks.splice(0)) {
      if (chunk.length === 0) continue;
      flushed = upstream.write(
        chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, CRLF]) : chunk,
      );
    }
    if (this.bodyEnded && chunked) flushed = upstream.write("0\r\n\r\n");
    // All sent and more to come: the request waits on its client (while the app's side is full, on the app).
    upstream.waitingOnClient(!this.bodyEnded && flushed);
    if (!flushed && !this.bodyEnded) {
      this.client.pauseReading();
      upstream.onDrain(() => this.client.resumeReading());
    }
  }

  /** An HTTP/1.0 request may come without Host; the app gets HTTP/1.1, which requires one: the instance's. */
  private addHost(): void {
    const head = this.headText!;
    const line = head.indexOf("\r\n") + 2;
    const host = `host: ${this.target!.host}:${this.target!.port}\r\n`;
    this.headText = head.slice(0, line) + host + head.slice(line);
  }

  private finishAttempt(): void {
    if (!this.inAttempt) return;
    this.inAttempt = false;
    this.lb!.inflight--;
    this.target!.inflight--;
  }
}

const CRLF = Buffer.from("\r\n");
