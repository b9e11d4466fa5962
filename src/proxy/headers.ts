import type { Fields, Framing, RequestHead, ResponseHead } from "./http1/head.js";

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authenticate",
  "proxy-authorization",
]);

/** What the client is told about its connection after an answer that keeps it open. */
export const KEEP_ALIVE_SECONDS = 65;

/** Whether field `i` goes on to the other side. The framing and Host headers are the proxy's own business. */
function forwarded(fields: Fields, i: number): boolean {
  const lower = fields.lower[i]!;
  if (HOP_BY_HOP.has(lower) || lower === "content-length") return false;
  return fields.connection.size === 0 || lower === "host" || !fields.connection.has(lower);
}

/**
 * The head the app gets: the client's fields minus hop-by-hop ones, X-Forwarded-* added, and the body's
 * framing stated once. An Upgrade request keeps Connection and Upgrade (WebSocket, h2c handshakes).
 * X-Forwarded-For is appended to; X-Forwarded-Proto and -Host say what the proxy itself saw, whatever
 * the client claimed (an app trusting them must not be told `https` by a client speaking plain HTTP).
 */
export function upstreamRequestHead(
  request: RequestHead,
  clientAddress: string,
  body: Framing = request.body,
  proto = "http",
): string {
  const { fields } = request;
  const keepUpgrade = request.upgrade;
  let out = `${request.method} ${request.target} HTTP/1.1\r\n`;
  let forwardedFor: string | undefined;
  for (let i = 0; i < fields.lower.length; i++) {
    const lower = fields.lower[i]!;
    if (lower === "x-forwarded-for") {
      forwardedFor = forwardedFor === undefined ? fields.values[i] : `${forwardedFor}, ${fields.values[i]}`;
      continue;
    }
    if (keepUpgrade && (lower === "connection" || lower === "upgrade")) {
      out += `${fields.names[i]}: ${fields.values[i]}\r\n`;
      continue;
    }
    // Expect: 100-continue is answered by the proxy itself, which then reads the body.
    if (
      !forwarded(fields, i) ||
      lower === "expect" ||
      lower === "x-forwarded-proto" ||
      lower === "x-forwarded-host"
    )
      continue;
    out += `${fields.names[i]}: ${fields.values[i]}\r\n`;
  }
  out += `x-forwarded-for: ${forwardedFor === undefined ? clientAddress : `${forwardedFor}, ${clientAddress}`}\r\n`;
  out += `x-forwarded-proto: ${proto}\r\n`;
  if (request.host !== undefined) out += `x-forwarded-host: ${request.host}\r\n`;
  if (body.kind === "length") out += `content-length: ${body.length}\r\n`;
  else if (body.kind === "chunked") out += "transfer-encoding: chunked\r\n";
  return `${out}\r\n`;
}

/** How the client gets the body: as the app framed it (length), re-chunked, or until the proxy closes. */
export type ClientFraming = "as-is" | "chunked" | "close";

export function clientFraming(response: ResponseHead, clientMinor: 0 | 1): ClientFraming {
  const kind = response.body.kind;
  if (kind === "length" || kind === "none") return "as-is";
  return clientMinor === 1 ? "chunked" : "close";
}

/**
 * The head the client gets: the app's status and fields minus hop-by-hop ones, the body framing the proxy
 * chose, and the proxy's own keep-alive policy (never the app's).
 */
export function downstreamResponseHead(
  response: ResponseHead,
  framing: ClientFraming,
  keepAlive: boolean,
  clientMinor: 0 | 1,
  /** Lines the proxy adds (Strict-Transport-Security), each ending in CRLF. */
  extraFields = "",
): string {
  const { fields } = response;
  let out = `HTTP/1.1 ${response.status} ${response.reason}\r\n`;
  for (let i = 0; i < fields.lower.length; i++) {
    if (forwarded(fields, i)) out += `${fields.names[i]}: ${fields.values[i]}\r\n`;
    else if (framing === "as-is" && fields.lower[i] === "content-length")
      out += `content-length: ${fields.values[i]}\r\n`;
  }
  if (framing === "chunked") out += "transfer-encoding: chunked\r\n";
  out += extraFields;
  if (!keepAlive || framing === "close") out += "connection: close\r\n";
  else
    out += `${clientMinor === 0 ? "connection: keep-alive\r\n" : ""}keep-alive: timeout=${KEEP_ALIVE_SECONDS}\r\n`;
  return `${out}\r\n`;
}

/** The app's 101 to an Upgrade request, with its Connection and Upgrade fields (the switch needs them). */
export function switchingProtocolsHead(response: ResponseHead): string {
  const { fields } = response;
  let out = `HTTP/1.1 101 ${response.reason}\r\n`;
  for (let i = 0; i < fields.lower.length; i++) {
    const lower = fields.lower[i]!;
    if (lower === "connection" || lower === "upgrade" || forwarded(fields, i))
      out += `${fields.names[i]}: ${fields.values[i]}\r\n`;
  }
  return `${out}\r\n`;
}

/** A 1xx answer (103 Early Hints…) passed on as it came, minus hop-by-hop fields. */
export function informationalHead(response: ResponseHead): string {
  const { fields } = response;
  let out = `HTTP/1.1 ${response.status} ${response.reason}\r\n`;
  for (let i = 0; i < fields.lower.length; i++) {
    if (forwarded(fields, i)) out += `${fields.names[i]}: ${fields.values[i]}\r\n`;
  }
  return `${out}\r\n`;
}
