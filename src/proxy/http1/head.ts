/**
 * Parsing of HTTP/1.x message heads (RFC 9112), strict where framing is decided: the proxy re-writes every
 * head it forwards with framing of its own choosing, so an ambiguous message (two lengths, length and
 * chunked, folded lines, bare CR or LF) is refused rather than guessed at.
 */

/** How the body of a message is delimited. */
export type Framing =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  /** Response only: the body runs until the upstream closes the connection. */
  | { kind: "close" };

/** Header fields as received: names, lower-cased names and values side by side (no per-field objects). */
export interface Fields {
  names: string[];
  lower: string[];
  values: string[];
  /** Lower-cased tokens of the Connection header: options (close, upgrade) and fields declared hop-by-hop. */
  connection: ReadonlySet<string>;
}

export interface RequestHead {
  method: string;
  target: string;
  minor: 0 | 1;
  fields: Fields;
  host: string | undefined;
  body: Framing;
  keepAlive: boolean;
  upgrade: boolean;
  expectContinue: boolean;
}

export interface ResponseHead {
  status: number;
  reason: string;
  minor: 0 | 1;
  fields: Fields;
  body: Framing;
  keepAlive: boolean;
  /** What the upstream announced in `Keep-Alive: timeout=N`, in ms; undefined when it said nothing. */
  keepAliveMs: number | undefined;
}

/** A head that cannot be forwarded; `status` is what the client should get for it. */
export class HeadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const NO_BODY: Framing = { kind: "none" };
const CHUNKED: Framing = { kind: "chunked" };
const UNTIL_CLOSE: Framing = { kind: "close" };

/** `head` is the message head without its final empty line: request line and fields, CRLF-separated. */
export function parseRequestHead(head: string): RequestHead {
  const lines = head.split("\r\n");
  const [method, requested, version] = requestLine(lines[0]!);
  const fields = parseFields(lines, 400);
  let hostAt = -1;
  for (let i = 0; i < fields.lower.length; i++) {
    if (fields.lower[i] !== "host") continue;
    if (hostAt !== -1) throw new HeadError(400, "more than one Host header");
    hostAt = i;
  }
  if (version === 1 && hostAt === -1) throw new HeadError(400, "HTTP/1.1 request without a Host header");
  let target = requested;
  let host = hostAt === -1 ? undefined : fields.values[hostAt];
  if (requested.charCodeAt(0) !== SLASH && requested !== "*" && method !== "CONNECT") {
    // Absolute form (RFC 9112 §3.2.2): the target's authority wins over Host, and the app gets origin form.
    const absolute = absoluteForm(requested);
    target = absolute.path;
    host = absolute.authority;
    if (hostAt === -1) {
      fields.names.push("Host");
      fields.lower.push("host");
      fields.values.push(host);
    } else {
      fields.values[hostAt] = host;
    }
  }
  const body = requestFraming(fields);
  const tokens = connectionTokens(fields);
  return {
    method,
    target,
    minor: version,
    fields,
    host,
    body,
    keepAlive: version === 1 ? !tokens.has("close") : tokens.has("keep-alive") && !tokens.has("close"),
    upgrade: tokens.has("upgrade") && fields.lower.includes("upgrade"),
    expectContinue: fieldValue(fields, "expect")?.toLowerCase() === "100-continue",
  };
}

/** `requestMethod` decides whether the response can have a body at all (not for HEAD). */
export function parseResponseHead(head: string, requestMethod: string): ResponseHead {
  const lines = head.split("\r\n");
  const [minor, status, reason] = statusLine(lines[0]!);
  const fields = parseFields(lines, 502);
  const tokens = connectionTokens(fields);
  const body = responseFraming(fields, status, requestMethod);
  const keepAlive =
    body.kind !== "close" &&
    (minor === 1 ? !tokens.has("close") : tokens.has("keep-alive") && !tokens.has("close"));
  return {
    status,
    reason,
    minor,
    fields,
    body,
    keepAlive,
    keepAliveMs: keepAliveTimeout(fieldValue(fields, "keep-alive")),
  };
}

const SLASH = 47;
/** `http://authority/path?query`: scheme and authority, then the rest (which may be empty or start with ?). */
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)(.*)$/i;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: visible characters, obs-text, spaces and tabs; no other control characters. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TARGET = /^[\x21-\x7e]+$/;

/** The authority and the origin-form path of an absolute-form target; 400 for anything else. */
function absoluteForm(target: string): { authority: string; path: string } {
  const match = ABSOLUTE_FORM.exec(target);
  if (!match) throw new HeadError(400, "malformed request target: expected /path or http://host/path");
  const authority = match[1]!;
  if (authority === "" || authority.includes("@"))
    throw new HeadError(400, "malformed request target: the authority must be a host, without user info");
  const rest = match[2]!;
  return { authority, path: rest.charCodeAt(0) === SLASH ? rest : `/${rest}` };
}

function requestLine(line: string): [string, string, 0 | 1] {
  const first = line.indexOf(" ");
  const last = line.lastIndexOf(" ");
  if (first <= 0 || last === first) throw new HeadError(400, "malformed request line");
  const method = line.slice(0, first);
  const target = line.slice(first + 1, last);
  const version = line.slice(last + 1);
  if (!TOKEN.test(method)) throw new HeadError(400, "malformed request method");
  if (!TARGET.test(target)) throw new HeadError(400, "malformed request target");
  if (version === "HTTP/1.1") return [method, target, 1];
  if (version === "HTTP/1.0") return [method, target, 0];
  if (/^HTTP\/\d\.\d$/.test(version)) throw new HeadError(505, `${version} is not supported`);
  throw new HeadError(400, "malformed HTTP version");
}

/** `HTTP/1.1 200 OK`: version, a three-digit status (100-999) and an optional reason phrase. */
function statusLine(line: string): [0 | 1, number, string] {
  const minor = line.charCodeAt(7) - 48;
  const status = Number(line.slice(9, 12));
  const reason = line.slice(13);
  const valid =
    line.startsWith("HTTP/1.") &&
    (minor === 0 || minor === 1) &&
    line.charCodeAt(8) === 32 &&
    /^[1-9]\d\d$/.test(line.slice(9, 12)) &&
    (line.length === 12 || line.charCodeAt(12) === 32) &&
    FIELD_VALUE.test(reason);
  if (!valid)
    throw new HeadError(502, `malformed status line from the app: ${JSON.stringify(line.slice(0, 80))}`);
  return [minor as 0 | 1, status, reason];
}

function parseFields(lines: string[], status: number): Fields {
  const n = lines.length - 1;
  const names = new Array<string>(n);
  const lower = new Array<string>(n);
  const values = new Array<string>(n);
  for (let i = 1; i <= n; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    // A line starting with whitespace is an obsolete folded continuation: refused (RFC 9112 §5.2).
    if (colon <= 0) throw new HeadError(status, "malformed header line");
    const name = line.slice(0, colon);
    const raw = line.slice(colon + 1);
    if (!TOKEN.test(name))
      throw new HeadError(status, `malformed header name ${JSON.stringify(name.slice(0, 40))}`);
    if (!FIELD_VALUE.test(raw)) throw new HeadError(status, `invalid characters in header ${name}`);
    const value = trimWhitespace(raw);
    names[i - 1] = name;
    lower[i - 1] = name.toLowerCase();
    values[i - 1] = value;
  }
  return { names, lower, values, connection: NO_TOKENS };
}

/** Strips spaces and tabs (and only those: RFC 9110 OWS) from both ends. */
function trimWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function requestFraming(fields: Fields): Framing {
  const te = transferEncoding(fields);
  const length = contentLength(fields, 400);
  if (te !== undefined) {
    if (length !== undefined) throw new HeadError(400, "both Transfer-Encoding and Content-Length");
    if (te !== "chunked") throw new HeadError(501, `Transfer-Encoding ${te} is not supported`);
    return CHUNKED;
  }
  return length === undefined || length === 0 ? NO_BODY : { kind: "length", length };
}

function responseFraming(fields: Fields, status: number, requestMethod: string): Framing {
  if (requestMethod === "HEAD" || status < 200 || status === 204 || status === 304) return NO_BODY;
  const te = transferEncoding(fields);
  const length = contentLength(fields, 502);
  if (te !== undefined) {
    if (length !== undefined)
      throw new HeadError(502, "the app sent both Transfer-Encoding and Content-Length");
    if (te === "chunked") return CHUNKED;
    // A transfer coding we would have to keep: refuse rather than forward a body the client cannot frame.
    throw new HeadError(502, `the app sent Transfer-Encoding ${te}, which the proxy does not forward`);
  }
  if (length === undefined) return UNTIL_CLOSE;
  return length === 0 ? NO_BODY : { kind: "length", length };
}

function transferEncoding(fields: Fields): string | undefined {
  let te: string | undefined;
  for (let i = 0; i < fields.lower.length; i++) {
    if (fields.lower[i] === "transfer-encoding") {
      const value = fields.values[i]!.toLowerCase();
      te = te === undefined ? value : `${te}, ${value}`;
    }
  }
  return te;
}

function contentLength(fields: Fields, status: number): number | undefined {
  let length: number | undefined;
  for (let i = 0; i < fields.lower.length; i++) {
    if (fields.lower[i] !== "content-length") continue;
    const value = fields.values[i]!;
    if (!/^\d{1,15}$/.test(value))
      throw new HeadError(status, `invalid Content-Length ${JSON.stringify(value)}`);
    const n = Number(value);
    if (length !== undefined && length !== n)
      throw new HeadError(status, "conflicting Content-Length headers");
    length = n;
  }
  return length;
}

const NO_TOKENS: ReadonlySet<string> = new Set();

/** Lower-cased tokens of every Connection header; also records them on `fields.connection`. */
function connectionTokens(fields: Fields): ReadonlySet<string> {
  let tokens: Set<string> | undefined;
  for (let i = 0; i < fields.lower.length; i++) {
    if (fields.lower[i] !== "connection") continue;
    for (const token of fields.values[i]!.split(",")) {
      const t = token.trim().toLowerCase();
      if (!t) continue;
      tokens ??= new Set();
      tokens.add(t);
    }
  }
  fields.connection = tokens ?? NO_TOKENS;
  return fields.connection;
}

function fieldValue(fields: Fields, lowerName: string): string | undefined {
  const i = fields.lower.indexOf(lowerName);
  return i === -1 ? undefined : fields.values[i];
}

function keepAliveTimeout(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const match = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(value);
  return match ? Number(match[1]) * 1000 : undefined;
}
