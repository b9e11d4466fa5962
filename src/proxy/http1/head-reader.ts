import { HeadError } from "./head.js";

const CRLFCRLF = Buffer.from("\r\n\r\n");

/**
 * Collects the bytes of one message head, across as many reads as it takes, up to a size limit.
 * The head comes back as a latin1 string without its closing empty line.
 */
export class HeadReader {
  private pending: Buffer | null = null;

  constructor(
    private readonly maxBytes: number,
    /** The status to answer when the head is too large: 431 for requests, 502 for responses. */
    private readonly tooLargeStatus: number,
    /** Requests may be preceded by empty lines (RFC 9112 §2.2), which are skipped. */
    private readonly skipLeadingLines: boolean,
  ) {}

  /** True while part of a head has arrived but not all of it. */
  get started(): boolean {
    return this.pending !== null;
  }

  /** The head and the offset just past it in `buf`, or undefined when more bytes are needed (kept here). */
  read(buf: Buffer, offset: number): { head: string; next: number } | undefined {
    let at = offset;
    if (this.pending === null && this.skipLeadingLines) {
      while (at + 1 < buf.length && buf[at] === 13 && buf[at + 1] === 10) at += 2;
      if (at === buf.length) return undefined;
    }
    if (this.pending === null) {
      const end = buf.indexOf(CRLFCRLF, at);
      if (end !== -1 && end - at <= this.maxBytes)
        return { head: buf.toString("latin1", at, end), next: end + 4 };
      this.keep(buf.subarray(at));
      return undefined;
    }
    const pending = this.pending;
    const joined = Buffer.concat([pending, buf.subarray(at)]);
    const end = joined.indexOf(CRLFCRLF, Math.max(0, pending.length - 3));
    if (end === -1 || end > this.maxBytes) {
      this.keep(joined);
      return undefined;
    }
    this.pending = null;
    return { head: joined.toString("latin1", 0, end), next: at + end + 4 - pending.length };
  }

  reset(): void {
    this.pending = null;
  }

  private keep(bytes: Buffer): void {
    if (bytes.length > this.maxBytes) {
      this.pending = null;
      throw new HeadError(this.tooLargeStatus, `message head larger than ${this.maxBytes} bytes`);
    }
    this.pending = bytes;
  }
}
