import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { Edge, EdgeAnswer } from "./edge.js";
import { ForwardedRequest } from "./forward.js";
import {
  type ClientFraming,
  clientFraming,
  downstreamResponseHead,
  informationalHead,
  KEEP_ALIVE_SECONDS,
  switchingProtocolsHead,
} from "./headers.js";
import { BodyError } from "./http1/body-decoder.js";
import { HeadError, type RequestHead, type ResponseHead } from "./http1/head.js";
import { RequestReader } from "./http1/request-reader.js";
import { extendBodyDeadline, type ProxyLimits } from "./limits.js";
import type { LoadBalancer } from "./load-balancer.js";
import type { Router } from "./router.js";
import { pipeTunnel } from "./upgrade.js";

/** Why the proxy gave up on a client: its head, its body, or its reading of the answer was too slow. */
export type SlowClient = "head" | "body" | "send";

/** What a client connection needs from the server that accepted it. */
export interface ConnectionOwner {
  readonly router: Router;
  readonly limits: ProxyLimits;
  /** True while the server stops: answers close their connection. */
  readonly stopping: boolean;
  /** ACME challenges, HTTPS redirects, HSTS: set when the agent serves HTTPS. */
  readonly edge?: Edge | undefined;
  forget(connection: ClientConnection): void;
  /** Counted for /metrics. */
  slowClient(reason: SlowClient): void;
}

/** Body chunks up to this size are joined with the head into one write; larger ones are written as they are. */
const COALESCE_LIMIT = 16 * 1024;

/** Pipelined bytes held at most, beyond which the client is not read until it catches up. */
const MAX_PIPELINED = 64 * 1024;

/**
 * One client connection on the public port: reads its requests one at a time, hands each to a
 * ForwardedRequest (or answers it itself: 404, 503, 400…) and writes the answers back in order. The
 * connection belongs to the proxy, not to any release, so a switch never closes it.
 */
export class ClientConnection {
  readonly remoteAddress: string;
  /** Accepted by the TLS listener: the app is told `X-Forwarded-Proto: https`. */
  readonly secure: boolean;
  /** Header lines the edge adds to the current answer (HSTS on TLS). */
  private edgeFields = "";
  private readonly reader: RequestReader;
  private forwarded: ForwardedRequest | undefined;
  /** Both halves of the current exchange: the request fully read, the answer fully written. */
  private requestDone = true;
  private responseDone = true;
  private minor: 0 | 1 = 1;
  private framing: ClientFraming = "as-is";
  private closeAfter = false;
  /** Bytes (as a latin1 string) written in this tick, sent together by `flush`. */
  private pending = "";
  private closed = false;
  /** A response head went out and its body is not complete: an error can then only close the connection. */
  private headWritten = false;
  /** When the current request's head began to arrive, while it is incomplete (0 otherwise). */
  private headStartedAt = 0;
  /** When the client last sent bytes or got a complete answer: what the idle timeout counts from. */
  private lastActive = Date.now();
  /** A request head arrived on this connection (it is no longer a fresh, unused one). */
  private answered = false;
  /** By when the request body being read must have arrived (0: none being read); see ProxyLimits. */
  private bodyDeadline = 0;
  /** Bytes of answers the client has taken (written to the kernel), and since when that has not moved. */
  private sent = 0;
  private sendStalledSince = 0;

  constructor(
    private readonly socket: Socket,
    private readonly owner: ConnectionOwner,
  ) {
    this.remoteAddress = socket.remoteAddress ?? "";
    this.secure = (socket as { encrypted?: boolean }).encrypted === true;
    this.reader = new RequestReader({
      head: (head) => this.onHead(head),
      data: (data) => this.onBodyData(data),
      end: () => this.onRequestEnd(),
    });
    socket.on("data", this.onData);
    socket.on("end", () => this.onEnd());
    socket.on("error", () => undefined);
    socket.on("close", () => this.onClose());
  }

  /** Idle: between requests, nothing half-read, nothing being answered. */
  get idle(): boolean {
    return this.requestDone && this.responseDone && !this.reader.midRequest;
  }

  /**
   * How long the connection has been idle at `now` after a request, or -1 while one is under way or
   * before the first: a client opens a connection to send a request, and one that is slow to send it
   * (a stalled event loop) must not have it closed under it.
   */
  idleFor(now: number): number {
    return this.idle && this.answered ? now - this.lastActive : -1;
  }

  /** Ends the connection now if idle, else after the current answer. */
  closeWhenIdle(): void {
    if (this.idle) this.end();
    else this.closeAfter = true;
  }

  destroy(): void {
    this.socket.destroy();
  }

  closeAfterResponse(): void {
    this.closeAfter = true;
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    if (this.closed) return;
    // The client could not send while the proxy held it: its body gets a fresh allowance.
    if (this.bodyDeadline !== 0)
      this.bodyDeadline = Math.max(this.bodyDeadline, Date.now() + this.owner.limits.bodyMs);
    this.socket.resume();
  }

  onDrain(resume: () => void): void {
    this.socket.once("drain", resume);
  }

  writeInformational(head: ResponseHead): void {
    if (this.minor === 1) this.write(informationalHead(head));
  }

  writeResponseHead(head: ResponseHead): void {
    this.framing = clientFraming(head, this.minor);
    if (this.framing === "close") this.closeAfter = true;
    this.headWritten = true;
    this.write(downstreamResponseHead(head, this.framing, this.keepAlive(), this.minor, this.edgeFields));
  }

  /** False when the client's buffer is full: wait for `onDrain`. */
  writeBody(chunk: Buffer): boolean {
    if (this.framing !== "chunked") return this.write(chunk);
    this.write(`${chunk.length.toString(16)}\r\n`);
    this.write(chunk);
    return this.write("\r\n");
  }

  endResponse(): void {
    if (this.framing === "chunked") this.write("0\r\n\r\n");
    this.forwarded = undefined;
    this.headWritten = false;
    this.responseDone = true;
    this.lastActive = Date.now();
    this.next();
  }

  /** An answer of the proxy's own (404, 502, 503…), plain text. */
  respondError(status: number, message: string): void {
    this.respond({ status, fields: "", body: `${message}\n` });
  }

  private respond({ status, fields, body }: EdgeAnswer): void {
    if (this.closed) return;
    if (!this.requestDone) {
      // Answered before its body arrived (a client may even wait for 100 Continue): the rest of the body
      // is not read, so the connection cannot carry another request.
      this.closeAfter = true;
      this.requestDone = true;
      this.bodyDeadline = 0;
    }
    this.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\ncontent-type: text/plain; charset=utf-8\r\nx-skiff: proxy\r\n${fields}` +
        `content-length: ${Buffer.byteLength(body)}\r\n${this.keepAlive() ? `keep-alive: timeout=${KEEP_ALIVE_SECONDS}` : "connection: close"}\r\n\r\n${body}`,
    );
    this.forwarded = undefined;
    this.framing = "as-is";
    this.headWritten = false;
    this.responseDone = true;
    this.next();
  }

  private keepAlive(): boolean {
    return !this.closeAfter && !this.owner.stopping;
  }

  /**
   * Writes at the end of this tick, as one string when it can: the head and a small body read with it
   * leave in a single write system call, which on loopback costs more than everything else here.
   */
  private write(data: string | Buffer): boolean {
    if (typeof data !== "string" && data.length > COALESCE_LIMIT) {
      this.flush();
      return this.socket.write(data);
    }
    if (this.pending === "") process.nextTick(this.flush);
    this.pending += typeof data === "string" ? data : data.toString("latin1");
    if (this.pending.length <= COALESCE_LIMIT) return !this.socket.writableNeedDrain;
    return this.flush();
  }

  /** Ends the connection after what was written in this tick. */
  private end(): void {
    this.flush();
    this.socket.end();
  }

  private readonly flush = (): boolean => {
    const pending = this.pending;
    if (pending === "") return true;
    this.pending = "";
    return this.socket.write(pending, "latin1");
  };

  private readonly onData = (chunk: Buffer): void => {
    this.lastActive = Date.now();
    if (!this.read(() => this.reader.feed(chunk))) return;
    this.headProgress();
    if (this.reader.pendingBytes > MAX_PIPELINED) this.socket.pause();
  };

  /** Starts the head timeout when a head has begun (in a read, or in pipelined bytes), stops it when done. */
  private headProgress(): void {
    if (this.reader.midHead) {
      if (this.headStartedAt === 0) this.headStartedAt = Date.now();
    } else {
      this.headStartedAt = 0;
    }
  }

  private onBodyData(data: Buffer): void {
    this.bodyDeadline = extendBodyDeadline(
      this.bodyDeadline,
      data.length,
      this.lastActive,
      this.owner.limits,
    );
    this.forwarded?.requestData(data);
  }

  /** Runs the reader; a malformed request is answered (400, 431…) and ends the connection. */
  private read(step: () => void): boolean {
    try {
      step();
      return true;
    } catch (error) {
      this.protocolError(error);
      return false;
    }
  }

  private onHead(head: RequestHead): void {
    this.answered = true;
    this.requestDone = false;
    this.responseDone = false;
    this.minor = head.minor;
    this.framing = "as-is";
    this.bodyDeadline = head.body.kind === "none" ? 0 : this.lastActive + this.owner.limits.bodyMs;
    if (!head.keepAlive) this.closeAfter = true;
    if (head.method === "CONNECT") {
      // Whatever its Connection header says: the proxy is no forward proxy, and an app gets no tunnel.
      this.closeAfter = true;
      this.respondError(405, "CONNECT is not supported");
      return;
    }
    const edge = this.owner.edge;
    if (edge) {
      const answer = edge.answer(head, this.secure);
      if (answer) {
        this.respond(answer);
        return;
      }
      this.edgeFields = this.secure ? edge.secureFields(head.host) : "";
    }
    const route = this.owner.router.match(head.host);
    if (!route) {
      this.respondError(404, `no app is routed for host ${head.host ?? "(none)"}`);
      return;
    }
    if (!route.live) {
      this.respondError(503, `${route.app} has no live release`);
      return;
    }
    if (head.expectContinue && head.minor === 1) this.write("HTTP/1.1 100 Continue\r\n\r\n");
    this.forwarded = new ForwardedRequest(this, head, route, this.owner.limits.bodyBufferBytes);
    this.forwarded.start();
  }

  private onRequestEnd(): void {
    this.requestDone = true;
    this.bodyDeadline = 0;
    this.forwarded?.requestEnd();
    this.next();
  }

  /** After each exchange: close if asked to, else read the next (possibly already pipelined) request. */
  private next(): void {
    if (!this.requestDone || !this.responseDone || this.closed) return;
    if (this.closeAfter || this.owner.stopping) {
      this.end();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    this.lastActive = Date.now();
    if (this.read(() => this.reader.resume())) this.headProgress();
  }

  /**
   * The app switched protocols: the 101 goes to the client, and from here on the connection is a tunnel
   * to that instance, no longer HTTP for the proxy. Bytes the client sent after its request go through.
   */
  tunnel(head: ResponseHead, upstream: Socket, upstreamRest: Buffer, lb: LoadBalancer, onClose: () => void) {
    this.write(switchingProtocolsHead(head));
    this.flush();
    this.socket.off("data", this.onData);
    this.socket.removeAllListeners("end");
    this.closed = true;
    this.forwarded = undefined;
    this.owner.forget(this);
    pipeTunnel(this.socket, this.reader.takeRest(), upstream, upstreamRest, lb, onClose);
  }

  /**
   * Gives up on a client that holds things up: 408 when it was sending its body (nothing of the answer
   * went out yet), else the connection just closes. The request to the app is aborted either way.
   */
  tooSlow(reason: SlowClient): void {
    if (this.closed) return;
    this.owner.slowClient(reason);
    this.bodyDeadline = 0;
    const forwarded = this.forwarded;
    this.forwarded = undefined;
    forwarded?.clientGone();
    if (reason === "send" || this.headWritten) {
      this.socket.destroy();
      return;
    }
    this.closeAfter = true;
    this.respondError(408, "the request body did not arrive in time");
  }

  private protocolError(error: unknown): void {
    const status = error instanceof HeadError ? error.status : 400;
    const message = error instanceof HeadError || error instanceof BodyError ? error.message : "bad request";
    this.closeAfter = true;
    const forwarded = this.forwarded;
    this.forwarded = undefined;
    forwarded?.clientGone();
    // Once an answer has begun, the only signal left is closing the connection.
    if (this.headWritten) {
      this.socket.destroy();
      return;
    }
    this.requestDone = true;
    this.respondError(status, message);
  }

  /**
   * The client closed its side. Like Node's own server, take that as the client going away: what it was
   * waiting for is abandoned (so the app's side is freed too) and the connection closes.
   */
  private onEnd(): void {
    if (this.idle) {
      this.end();
      return;
    }
    this.forwarded?.clientGone();
    this.forwarded = undefined;
    this.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.owner.forget(this);
    this.forwarded?.clientGone();
    this.forwarded = undefined;
  }

  /**
   * Called by the server every few seconds (cheaper than a timer per socket, refreshed on every read and
   * write): answers 408 to a head or a body that takes too long, closes a connection whose client does
   * not take its answer, and one idle past the keep-alive timeout. A request waiting on a slow app (a
   * long poll) is the app's business and is left alone.
   */
  expire(now: number): void {
    const limits = this.owner.limits;
    if (this.headStartedAt !== 0 && now - this.headStartedAt > limits.headMs) {
      this.headStartedAt = 0;
      this.owner.slowClient("head");
      this.closeAfter = true;
      this.requestDone = true;
      this.respondError(408, "the request head did not arrive in time");
    } else if (this.bodyDeadline !== 0 && now > this.bodyDeadline && !this.socket.isPaused()) {
      this.tooSlow("body");
    } else if (this.sendStalled(now) > limits.sendMs) {
      this.tooSlow("send");
    } else if (now - this.lastActive > limits.idleMs) {
      if (this.idle) this.end();
      else if (!this.requestDone) this.destroy();
    }
  }

  /**
   * How long the client has taken none of what was written to it (0 when nothing waits for it). Bytes
   * count as taken once the kernel accepted them: Node's writableLength keeps them until then.
   */
  private sendStalled(now: number): number {
    const waiting = this.socket.writableLength;
    if (waiting === 0) {
      this.sendStalledSince = 0;
      return 0;
    }
    const sent = this.socket.bytesWritten - waiting;
    if (sent !== this.sent || this.sendStalledSince === 0) {
      this.sent = sent;
      this.sendStalledSince = now;
    }
    return now - this.sendStalledSince;
  }
}
