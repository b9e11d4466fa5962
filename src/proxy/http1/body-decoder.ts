import { type Framing, NO_BODY } from "./head.js";

/** A body that does not follow its own framing (bad chunk size, missing CRLF, oversized trailers). */
export class BodyError extends Error {}

enum State {
  Size,
  Data,
  DataEnd,
  Trailers,
  Done,
}

/** Longest chunk-size line (size and extensions) and trailer section we accept. */
const MAX_LINE = 4096;
const MAX_TRAILERS = 16 * 1024;
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*"';
/**
 * A chunk-size line: hex digits, then any number of `;name` or `;name=value` extensions (RFC 9112 §7.1.1,
 * optional whitespace around `;` and `=`). An empty extension (`2;`) or an unclosed quote is refused, as
 * llhttp and Node refuse them. Extensions are dropped: the proxy re-chunks the body without them.
 */
const CHUNK_SIZE = new RegExp(
  `^([0-9a-fA-F]{1,13})(?:[\\t ]*;[\\t ]*${TOKEN}(?:[\\t ]*=[\\t ]*(?:${TOKEN}|${QUOTED}))?)*$`,
);

/**
 * Finds the body of one message in the bytes of a connection, whatever its framing, handing over the
 * payload (chunked framing removed) and saying where the message ends, so the next one can start there.
 */
export class BodyDecoder {
  private state: State;
  private remaining: number;
  private line = "";
  private trailerBytes = 0;

  constructor(private readonly framing: Framing) {
    this.remaining = framing.kind === "length" ? framing.length : 0;
    this.state = framing.kind === "none" ? State.Done : framing.kind === "chunked" ? State.Size : State.Data;
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /**
   * Decodes `buf` from `offset`, passing payload to `onData`; returns the offset just past what belonged
   * to this message (buf.length when all of it did and more is to come).
   */
  decode(buf: Buffer, offset: number, onData: (data: Buffer) => void): number {
    let at = offset;
    while (at < buf.length && this.state !== State.Done) {
      if (this.state === State.Data) at = this.data(buf, at, onData);
      else at = this.chunkedLine(buf, at);
    }
    return at;
  }

  private data(buf: Buffer, at: number, onData: (data: Buffer) => void): number {
    if (this.framing.kind === "close") {
      onData(at === 0 ? buf : buf.subarray(at));
      return buf.length;
    }
    const take = Math.min(this.remaining, buf.length - at);
    onData(at === 0 && take === buf.length ? buf : buf.subarray(at, at + take));
    this.remaining -= take;
    if (this.remaining === 0) this.state = this.framing.kind === "length" ? State.Done : State.DataEnd;
    return at + take;
  }

  /** Reads up to the end of one line of chunked framing (size, the CRLF after data, or a trailer). */
  private chunkedLine(buf: Buffer, at: number): number {
    const lf = buf.indexOf(10, at);
    const end = lf === -1 ? buf.length : lf + 1;
    this.line += buf.toString("latin1", at, end);
    if (this.line.length > MAX_LINE) throw new BodyError("chunked framing line too long");
    if (lf === -1) return end;
    const line = this.line;
    this.line = "";
    if (!line.endsWith("\r\n") || line.indexOf("\r") !== line.length - 2) {
      throw new BodyError("chunked framing line not ended by CRLF");
    }
    this.endOfLine(line.slice(0, -2));
    return end;
  }

  private endOfLine(text: string): void {
    if (this.state === State.DataEnd) {
      if (text !== "") throw new BodyError("chunk data longer than its size");
      this.state = State.Size;
    } else if (this.state === State.Size) {
      const match = CHUNK_SIZE.exec(text);
      if (!match) throw new BodyError(`invalid chunk size line ${JSON.stringify(text.slice(0, 40))}`);
      this.remaining = Number.parseInt(match[1]!, 16);
      this.state = this.remaining === 0 ? State.Trailers : State.Data;
    } else if (text === "") {
      this.state = State.Done;
    } else {
      // Trailer fields: read past and dropped; the proxy does not forward trailers.
      this.trailerBytes += text.length;
      if (this.trailerBytes > MAX_TRAILERS) throw new BodyError("chunked trailers too large");
    }
  }
}

/** The decoder of every message without a body: it holds no state, so one serves them all. */
export const NO_BODY_DECODER = new BodyDecoder(NO_BODY);

/** A decoder for `framing`; the shared stateless one when there is no body. */
export function bodyDecoder(framing: Framing): BodyDecoder {
  return framing.kind === "none" ? NO_BODY_DECODER : new BodyDecoder(framing);
}
