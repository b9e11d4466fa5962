import { HeadError } from "./head.js";

const CRLFCRLF = Buffer.from("\r\n\r\n");
const CR = 13;
const LF = 10;

/**
 * Collects the bytes of one message head, across as many reads as it takes, up to a size limit.
 * The head comes back as a latin1 string without its closing empty line.
 */
export class HeadReader {
  private pending: Buffer | null = null;
  /** A read ended with the CR of an empty line before a request: the next read must start with its LF. */
  private halfEmptyLine = false;

  /** What a head that cannot be read is answered with: 431 or 400 from a client, 502 from an app. */
  private readonly tooLargeStatus: number;
  private readonly badStatus: number;
  /** Requests may be preceded by empty lines (RFC 9112 §2.2), which are skipped. */
  private readonly skipLeadingLines: boolean;

  constructor(
    private readonly maxBytes: number,
    side: "request" | "response",
  ) {
    this.tooLargeStatus = side === "request" ? 431 : 502;
    this.badStatus = side === "request" ? 400 : 502;
    this.skipLeadingLines = side === "request";
  }

  /** True while part of a head has arrived but not all of it. */
  get started(): boolean {
    return this.pending !== null;
  }

  /** The head and the offset just past it in `buf`, or undefined when more bytes are needed (kept here). */
  read(buf: Buffer, offset: number): { head: string; next: number } | undefined {
    let at = offset;
    if (this.pending === null && this.skipLeadingLines) {
      at = this.skipEmptyLines(buf, at);
      if (at === buf.length) return undefined;
    }
    if (this.pending === null) {
      const end = buf.indexOf(CRLFCRLF, at);
      if (end !== -1 && end - at <= this.maxBytes)
        return { head: buf.toString("latin1", at, end), next: end + 4 };
      this.keep(buf.subarray(at), 0);
      return undefined;
    }
    const pending = this.pending;
    const joined = Buffer.concat([pending, buf.subarray(at)]);
    const end = joined.indexOf(CRLFCRLF, Math.max(0, pending.length - 3));
    if (end === -1 || end > this.maxBytes) {
      this.keep(joined, pending.length);
      return undefined;
    }
    this.pending = null;
    return { head: joined.toString("latin1", 0, end), next: at + end + 4 - pending.length };
  }

  reset(): void {
    this.pending = null;
    this.halfEmptyLine = false;
  }

  /** Skips CRLFs before a request line, including one whose CR and LF came in different reads. */
  private skipEmptyLines(buf: Buffer, from: number): number {
    let at = from;
    if (this.halfEmptyLine && at < buf.length) {
      if (buf[at] !== LF) throw new HeadError(400, "a bare CR before the request line");
      this.halfEmptyLine = false;
      at++;
    }
    while (at + 1 < buf.length && buf[at] === CR && buf[at + 1] === LF) at += 2;
    if (at + 1 === buf.length && buf[at] === CR) {
      this.halfEmptyLine = true;
      return buf.length;
    }
    return at;
  }

  /**
   * Keeps an incomplete head. A line ended by a bare LF can never complete it (the end is CRLFCRLF), so it
   * is refused now rather than at the head timeout; `from` is where the bytes not checked before begin.
   */
  private keep(bytes: Buffer, from: number): void {
    if (bytes.length > this.maxBytes) {
      this.pending = null;
      throw new HeadError(this.tooLargeStatus, `message head larger than ${this.maxBytes} bytes`);
    }
    for (let lf = bytes.indexOf(LF, from); lf !== -1; lf = bytes.indexOf(LF, lf + 1)) {
      if (lf === 0 || bytes[lf - 1] !== CR) {
        this.pending = null;
        throw new HeadError(this.badStatus, "a line of the message head ends with LF alone, not CRLF");
      }
    }
    this.pending = bytes;
  }
}
