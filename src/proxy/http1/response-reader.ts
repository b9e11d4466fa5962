import { type BodyDecoder, BodyError, bodyDecoder } from "./body-decoder.js";
import { type Framing, parseResponseHead, type ResponseHead } from "./head.js";
import { HeadReader } from "./head-reader.js";

const MAX_RESPONSE_HEAD = 64 * 1024;

export interface ResponseEvents {
  /** 100 Continue, 103 Early Hints…: passed on, then the final answer follows. */
  informational(head: ResponseHead): void;
  head(head: ResponseHead): void;
  data(data: Buffer): void;
  end(): void;
  /** 101 to an Upgrade request: the connection now speaks another protocol; `rest` came after the head. */
  switched(head: ResponseHead, rest: Buffer): void;
}

/** Reads the one answer expected on an upstream connection for the request just sent. */
export class ResponseReader {
  private readonly heads = new HeadReader(MAX_RESPONSE_HEAD, "response");
  private body: BodyDecoder | undefined;
  private method = "GET";
  private events: ResponseEvents | undefined;
  private bodyKind: Framing["kind"] = "none";
  private upgrade = false;

  /**
   * Before each request: where its answer goes, which method it answers (a HEAD answer has no body) and
   * whether it asked to upgrade (only then may the app answer 101).
   */
  expect(method: string, events: ResponseEvents, upgrade: boolean): void {
    this.method = method;
    this.events = events;
    this.upgrade = upgrade;
    this.heads.reset();
    this.body = undefined;
  }

  /** Whether the answer's body runs until the upstream closes the connection. */
  get untilClose(): boolean {
    return this.body !== undefined && !this.body.done && this.bodyKind === "close";
  }

  /** Throws HeadError or BodyError when the upstream breaks HTTP; bytes after the answer are an error too. */
  feed(buf: Buffer): void {
    const events = this.events;
    if (!events) throw new BodyError("the app sent bytes nobody asked for");
    let at = 0;
    while (at < buf.length) {
      if (this.body === undefined) {
        const read = this.heads.read(buf, at);
        if (!read) return;
        at = read.next;
        const head = parseResponseHead(read.head, this.method);
        if (head.status < 200) {
          if (head.status === 101) {
            if (!this.upgrade) throw new BodyError("the app switched protocols on a plain request");
            this.events = undefined;
            events.switched(head, buf.subarray(at));
            return;
          }
          events.informational(head);
          continue;
        }
        this.bodyKind = head.body.kind;
        this.body = bodyDecoder(head.body);
        events.head(head);
      }
      at = this.body.decode(buf, at, events.data);
      if (this.body.done) {
        this.events = undefined;
        events.end();
        if (at < buf.length) throw new BodyError("the app sent bytes after its answer");
        return;
      }
    }
  }

  /** The upstream closed: the end of a close-delimited body, else an error for whoever waits. */
  closed(): boolean {
    if (!this.untilClose) return false;
    const events = this.events!;
    this.events = undefined;
    events.end();
    return true;
  }
}
