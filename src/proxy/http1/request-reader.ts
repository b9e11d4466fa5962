import { type BodyDecoder, bodyDecoder } from "./body-decoder.js";
import { parseRequestHead, type RequestHead } from "./head.js";
import { HeadReader } from "./head-reader.js";

/** Largest request head accepted (Node's default too); larger ones get 431. */
export const MAX_REQUEST_HEAD = 16 * 1024;

export interface RequestEvents {
  head(head: RequestHead): void;
  data(data: Buffer): void;
  end(): void;
}

/**
 * Reads the requests a client sends on one connection, one at a time: after each complete request it
 * pauses (keeping any pipelined bytes) until `resume()`, so answers go back in order. An Upgrade request
 * is read like any other (its body too); when the app switches protocols, `takeRest()` hands what came
 * after it to the tunnel.
 */
export class RequestReader {
  private readonly heads = new HeadReader(MAX_REQUEST_HEAD, "request");
  private body: BodyDecoder | undefined;
  private rest: Buffer | null = null;
  paused = false;

  constructor(private readonly events: RequestEvents) {}

  /** Whether a request has begun arriving and is not complete: an idle connection says false. */
  get midRequest(): boolean {
    return this.body !== undefined || this.heads.started;
  }

  /** Part of a head has arrived, not all of it. */
  get midHead(): boolean {
    return this.heads.started;
  }

  /** Bytes read ahead (pipelined requests) waiting for `resume()`. */
  get pendingBytes(): number {
    return this.rest?.length ?? 0;
  }

  /** Throws HeadError or BodyError on a malformed request; the connection must then be answered and closed. */
  feed(buf: Buffer): void {
    if (this.paused) {
      this.rest = this.rest ? Buffer.concat([this.rest, buf]) : buf;
      return;
    }
    let at = 0;
    while (at < buf.length && !this.paused) {
      if (this.body === undefined) {
        const read = this.heads.read(buf, at);
        if (!read) return;
        at = read.next;
        const head = parseRequestHead(read.head);
        this.body = bodyDecoder(head.body);
        this.events.head(head);
      }
      at = this.body.decode(buf, at, this.events.data);
      if (this.body.done) this.finish();
    }
    if (at < buf.length)
      this.rest = this.rest ? Buffer.concat([this.rest, buf.subarray(at)]) : buf.subarray(at);
  }

  resume(): void {
    this.paused = false;
    const rest = this.rest;
    this.rest = null;
    if (rest) this.feed(rest);
  }

  takeRest(): Buffer {
    const rest = this.rest ?? Buffer.alloc(0);
    this.rest = null;
    return rest;
  }

  private finish(): void {
    this.body = undefined;
    this.paused = true;
    this.events.end();
  }
}
