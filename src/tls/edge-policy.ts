import type { Edge, EdgeAnswer } from "../proxy/edge.js";
import type { RequestHead } from "../proxy/http1/head.js";
import type { Hsts } from "./config.js";
import { HostTable } from "./host-table.js";

/** Where ACME HTTP-01 challenges are fetched (RFC 8555 §8.3). */
export const CHALLENGE_PATH = "/.well-known/acme-challenge/";

/** A host whose certificate is being served: what its plain-HTTP and HTTPS answers get. */
export interface HostEdge {
  /** The host as written in skiff.yml (the redirect's Location uses it, never the client's Host header). */
  host: string;
  redirect: boolean;
  /** `strict-transport-security: …\r\n`, or "". */
  hstsField: string;
}

type Head = Pick<RequestHead, "method" | "target" | "host"> & {
  fields: Pick<RequestHead["fields"], "lower" | "values">;
};

/**
 * The agent's own health monitor checks each app through the plain port (src/agent/monitoring.ts); a
 * redirect would answer it instead of the app, and a 3xx passes a check. Its requests are never
 * redirected. A client that sends this user agent only spares itself the redirect.
 */
const AGENT_PROBE = "skiff-monitor";

/**
 * The decision, without I/O. On plain HTTP: a known challenge token gets its key authorization; a host
 * with a certificate and `https_redirect` gets 308 to the same path on https://. Everything else (and
 * every TLS request) goes on to the routes: an unknown token may be the app's own.
 */
export function edgeAnswer(
  head: Head,
  secure: boolean,
  hosts: HostTable<HostEdge>,
  challenge: (token: string) => string | undefined,
  httpsPort: number,
): EdgeAnswer | undefined {
  if (secure) return undefined;
  const { target } = head;
  if (target.startsWith(CHALLENGE_PATH) && (head.method === "GET" || head.method === "HEAD")) {
    const answer = challenge(target.slice(CHALLENGE_PATH.length));
    if (answer !== undefined) return { status: 200, fields: "", body: head.method === "GET" ? answer : "" };
    return undefined;
  }
  if (head.host === undefined) return undefined;
  const name = hostOnly(head.host).toLowerCase();
  const entry = hosts.get(name);
  if (!entry?.redirect || userAgent(head) === AGENT_PROBE) return undefined;
  // A wildcard entry redirects to the name asked for, which must then be a plain DNS name: the
  // Location never carries what a client put in its Host header beyond that.
  const host = entry.host.startsWith("*.") ? name : entry.host;
  if (!DNS_NAME.test(host)) return undefined;
  const port = httpsPort === 443 ? "" : `:${httpsPort}`;
  const path = target.startsWith("/") ? target : "/";
  return { status: 308, fields: `location: https://${host}${port}${path}\r\n`, body: "" };
}

const DNS_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function userAgent(head: Head): string | undefined {
  const i = head.fields.lower.indexOf("user-agent");
  return i === -1 ? undefined : head.fields.values[i];
}

/** The `Strict-Transport-Security` line for `hsts`, or "" when it is off. */
export function hstsField(hsts: Hsts | undefined): string {
  if (!hsts) return "";
  return `strict-transport-security: max-age=${hsts.maxAgeSeconds}${hsts.includeSubdomains ? "; includeSubDomains" : ""}\r\n`;
}

function hostOnly(host: string): string {
  const colon = host.lastIndexOf(":");
  return colon === -1 || host.endsWith("]") ? host : host.slice(0, colon);
}

/** The proxy's Edge for an agent serving HTTPS: the table above, kept current by the certificate manager. */
export class TlsEdge implements Edge {
  readonly hosts = new HostTable<HostEdge>();

  constructor(
    private readonly challenge: (token: string) => string | undefined,
    private readonly httpsPort: () => number,
  ) {}

  answer(head: RequestHead, secure: boolean): EdgeAnswer | undefined {
    return edgeAnswer(head, secure, this.hosts, this.challenge, this.httpsPort());
  }

  secureFields(host: string | undefined): string {
    return host === undefined ? "" : (this.hosts.get(hostOnly(host))?.hstsField ?? "");
  }
}
