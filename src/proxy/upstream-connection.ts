import { connect, type Socket } from "node:net";
import type { ResponseHead } from "./http1/head.js";
import { type ResponseEvents, ResponseReader } from "./http1/response-reader.js";

/** What an upstream connection needs from the request it carries, and tells it back. */
export interface UpstreamRequest extends Omit<ResponseEvents, "switched"> {
  readonly method: string;
  /** An Upgrade request: a 101 answer hands the connection over to it. */
  readonly upgrade: boolean;
  /** True once the client went away: a request still waiting for a connection is then skipped. */
  readonly cancelled: boolean;
  /** The request is on `connection` now: write its head (and body) there. */
  attached(connection: UpstreamConnection): void;
  /** The connection failed before the answer was complete; `answered` says whether any byte came back. */
  failed(error: Error, answered: boolean): void;
  /** The app switched protocols: `socket` is the request's now, out of the pool, `rest` read after the 101. */
  switched(head: ResponseHead, socket: Socket, rest: Buffer): void;
  /** The pool took the connection back because the request's client held it up (see ProxyLimits.stallMs). */
  reclaimed(): void;
}

/** How long an idle connection is reused when the app announces no `Keep-Alive: timeout`. */
const DEFAULT_IDLE_MS = 4_000;
/** Stop reusing this long before the app's announced keep-alive timeout, so we never race its close. */
const IDLE_MARGIN_MS = 1_000;

export interface PoolSlot {
  released(connection: UpstreamConnection): void;
  removed(connection: UpstreamConnection): void;
  stallChanged(delta: 1 | -1): void;
}

/**
 * One keep-alive connection to an app instance, carrying one request at a time. It reads the answer with
 * its own HTTP/1.1 reader and hands the pieces to the request; when the answer is complete and the app
 * keeps the connection open, the connection goes back to its pool.
 */
export class UpstreamConnection implements ResponseEvents {
  private readonly socket: Socket;
  private readonly reader = new ResponseReader();
  private current: UpstreamRequest | undefined;
  private answered = false;
  private reusable = false;
  private lastError: Error | undefined;
  /** When the connection went idle, and for how long the app lets an idle connection live. */
  idleSince = 0;
  idleLimitMs = DEFAULT_IDLE_MS;
  /**
   * Since when the request waits on its own client (which does not read the answer, or does not send the
   * rest of its body) rather than on the app; 0 while it does not. Set through `waitingOnClient`; the
   * pool zeroes it when it forgets the connection.
   */
  stalledSince = 0;

  constructor(
    host: string,
    port: number,
    private readonly pool: PoolSlot,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on("data", (chunk: Buffer) => this.read(chunk));
    this.socket.on("error", (error) => {
      this.lastError = error;
    });
    this.socket.on("close", () => this.closed());
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Whether it is still fit to carry a request after being idle since `idleSince`. */
  fresh(now: number): boolean {
    return !this.socket.destroyed && now - this.idleSince < this.idleLimitMs;
  }

  send(request: UpstreamRequest): void {
    this.current = request;
    this.answered = false;
    this.reusable = false;
    this.reader.expect(request.method, this, request.upgrade);
    request.attached(this);
  }

  /** Writes request bytes; false when the socket's buffer is full (wait for `onDrain`). */
  write(data: string | Buffer): boolean {
    return typeof data === "string" ? this.socket.write(data, "latin1") : this.socket.write(data);
  }

  onDrain(resume: () => void): void {
    this.socket.once("drain", resume);
  }

  /** Backpressure from the client side: stop reading the answer until `resume()`. */
  pause(): void {
    this.socket.pause();
    this.waitingOnClient(true);
  }

  resume(): void {
    this.waitingOnClient(false);
    this.socket.resume();
  }

  /** Whether the request now waits on its own client rather than on the app (the pool counts these apart). */
  waitingOnClient(waiting: boolean): void {
    if (waiting === (this.stalledSince !== 0) || this.socket.destroyed || !this.current) return;
    this.stalledSince = waiting ? Date.now() : 0;
    this.pool.stallChanged(waiting ? 1 : -1);
  }

  /** Given up for another request, the pool having forgotten it: its request is told, the socket closed. */
  reclaim(): void {
    const request = this.current;
    this.current = undefined;
    this.socket.destroy();
    request?.reclaimed();
  }

  /** The request was given up (its client went away): the answer cannot be read to its end, so close. */
  abort(): void {
    this.current = undefined;
    this.socket.destroy();
  }

  /** Closes an idle connection; a busy one closes once its answer is complete. */
  close(): void {
    if (this.current) this.reusable = false;
    else this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  informational(head: ResponseHead): void {
    this.current?.informational(head);
  }

  head(head: ResponseHead): void {
    // A connection that carried an Upgrade request is not reused, whatever the answer: the app was asked
    // to switch protocols on it, and a server may read what follows as the new protocol.
    this.reusable = head.keepAlive && !this.current?.upgrade;
    if (head.keepAliveMs !== undefined) this.idleLimitMs = Math.max(0, head.keepAliveMs - IDLE_MARGIN_MS);
    this.current?.head(head);
  }

  readonly data = (chunk: Buffer): void => {
    this.current?.data(chunk);
  };

  switched(head: ResponseHead, rest: Buffer): void {
    const request = this.current!;
    this.current = undefined;
    // The socket leaves the pool for good: it is a tunnel of the request's now.
    this.socket.removeAllListeners("data");
    this.socket.removeAllListeners("error");
    this.socket.removeAllListeners("close");
    this.pool.removed(this);
    request.switched(head, this.socket, rest);
  }

  end(): void {
    this.waitingOnClient(false);
    const request = this.current;
    this.current = undefined;
    request?.end();
    if (this.reusable && !this.socket.destroyed) this.pool.released(this);
    else this.socket.destroy();
  }

  /** A request whose body is still being sent when the answer ends leaves the connection unusable. */
  unusable(): void {
    this.reusable = false;
  }

  private read(chunk: Buffer): void {
    this.answered = true;
    try {
      this.reader.feed(chunk);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    const request = this.current;
    this.current = undefined;
    this.socket.destroy();
    request?.failed(error, this.answered);
  }

  private closed(): void {
    this.pool.removed(this);
    if (!this.current) return;
    if (this.reader.closed()) {
      // A close-delimited answer ended with the connection; `end` already ran for it.
      return;
    }
    const what = this.answered ? "the app closed the connection mid-answer" : "the app closed the connection";
    this.fail(this.lastError ?? new Error(what));
  }
}
