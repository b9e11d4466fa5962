import type { IncomingMessage } from "node:http";

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

function isHopByHop(name: string, extra: Set<string> | undefined): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP.has(lower) || extra?.has(lower) === true;
}

/** Header names the Connection header itself declares hop-by-hop (`Connection: close, x-foo`). */
function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (!value || value.length === 0) return undefined;
  const tokens = value.split(",").map((t) => t.trim().toLowerCase());
  return tokens.length === 1 && (tokens[0] === "keep-alive" || tokens[0] === "close")
    ? undefined
    : new Set(tokens);
}

/** The request's headers as a flat [name, value, …] list for the upstream, with X-Forwarded-* added. */
export function upstreamRequestHeaders(req: IncomingMessage, keepUpgrade = false): string[] {
  const raw = req.rawHeaders;
  const extra = connectionTokens(req.headers.connection);
  const out: string[] = [];
  let forwardedFor: string | undefined;
  let hasProto = false;
  let hasHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === "x-forwarded-for") {
      forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1];
      continue;
    }
    if (keepUpgrade && (lower === "connection" || lower === "upgrade")) {
      out.push(name, raw[i + 1]!);
      continue;
    }
    if (isHopByHop(name, extra)) continue;
    if (lower === "x-forwarded-proto") hasProto = true;
    else if (lower === "x-forwarded-host") hasHost = true;
    out.push(name, raw[i + 1]!);
  }
  const client = req.socket.remoteAddress ?? "";
  out.push("x-forwarded-for", forwardedFor ? `${forwardedFor}, ${client}` : client);
  if (!hasProto) out.push("x-forwarded-proto", "http");
  if (!hasHost && req.headers.host) out.push("x-forwarded-host", req.headers.host);
  return out;
}

/** The upstream response's raw headers as a flat list for `res.writeHead`, without hop-by-hop ones. */
export function downstreamResponseHeaders(raw: Buffer[]): string[] {
  const out: string[] = [];
  let extra: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toString("latin1").toLowerCase() === "connection") {
      extra = connectionTokens(raw[i + 1]!.toString("latin1"));
    }
  }
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1");
    if (isHopByHop(name, extra)) continue;
    out.push(name, raw[i + 1]!.toString("latin1"));
  }
  return out;
}
