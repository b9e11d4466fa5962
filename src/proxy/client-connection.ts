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
} from "./headers.js";
import { BodyError } from "./http1/body-decoder.js";
import { HeadError, type RequestHead, type ResponseHead } from "./http1/head.js";
import { RequestReader } from "./http1/request-reader.js";
import type { Router } from "./router.js";
import { proxyUpgrade } from "./upgrade.js";

/** What a client connection needs from the server that accepted it. */
export interface ConnectionOwner {
  readonly router: Router;
  /** True while the server stops: answers close their connection. */
  readonly stopping: boolean;
  /** ACME challenges, HTTPS redirects, HSTS: set when the agent serves HTTPS. */
  readonly edge?: Edge | undefined;
  forget(connection: ClientConnection): void;
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

  constructor(
    private readonly socket: Socket,
    private readonly owner: ConnectionOwner,
  ) {
    this.remoteAddress = socket.remoteAddress ?? "";
    this.secure = (socket as { encrypted?: boolean }).encrypted === true;
    this.reader = new RequestReader({
      head: (head) => this.onHead(head),
      data: (data) => this.forwarded?.requestData(data),
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
    if (!this.closed) this.socket.resume();
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
    if (this.reader.midHead) {
      if (this.headStartedAt === 0) this.headStartedAt = Date.now();
    } else {
      this.headStartedAt = 0;
    }
    if (this.reader.pendingBytes > MAX_PIPELINED) this.socket.pause();
  };

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
    this.requestDone = false;
    this.responseDone = false;
    this.minor = head.minor;
    this.framing = "as-is";
    if (!head.keepAlive) this.closeAfter = true;
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
    if (head.upgrade) {
      this.upgrade(head, route);
      return;
    }
    if (head.method === "CONNECT") {
      this.closeAfter = true;
      this.respondError(405, "CONNECT is not supported");
      return;
    }
    if (!route) {
      this.respondError(404, `no app is routed for host ${head.host ?? "(none)"}`);
      return;
    }
    if (!route.live) {
      this.respondError(503, `${route.app} has no live release`);
      return;
    }
    if (head.expectContinue && head.minor === 1) this.write("HTTP/1.1 100 Continue\r\n\r\n");
    this.forwarded = new ForwardedRequest(this, head, route);
    this.forwarded.start();
  }

  private onRequestEnd(): void {
    this.requestDone = true;
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
    this.read(() => this.reader.resume());
  }

  private upgrade(head: RequestHead, route: ReturnType<Router["match"]>): void {
    if (!route?.live) {
      this.closeAfter = true;
      this.respondError(
        route ? 503 : 404,
        route ? `${route.app} has no live release` : `no app is routed for host ${head.host ?? "(none)"}`,
      );
      return;
    }
    // From here on the connection is a tunnel to one instance, no longer HTTP for the proxy.
    this.socket.off("data", this.onData);
    this.socket.removeAllListeners("end");
    this.closed = true;
    this.owner.forget(this);
    proxyUpgrade(head, this.socket, this.reader.takeRest(), route, this.remoteAddress, this.secure);
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
   * write): closes a connection idle past the keep-alive timeout, answers 408 to a head that takes too
   * long, and drops a client that stalls while sending a body. A request waiting on a slow app (a long
   * poll) is the app's business and is left alone.
   */
  expire(now: number, idleMs: number, headMs: number): void {
    if (this.headStartedAt !== 0 && now - this.headStartedAt > headMs) {
      this.headStartedAt = 0;
      this.closeAfter = true;
      this.requestDone = true;
      this.respondError(408, "the request head did not arrive in time");
    } else if (now - this.lastActive > idleMs) {
      if (this.idle) this.end();
      else if (!this.requestDone) this.destroy();
    }
  }
}
