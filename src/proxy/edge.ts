import type { RequestHead } from "./http1/head.js";

/** An answer the proxy gives itself, before routing. */
export interface EdgeAnswer {
  status: number;
  /** Extra header lines, each ending in CRLF (`location: …\r\n`). */
  fields: string;
  body: string;
}

/**
 * What stands in front of the routes when the agent serves HTTPS (src/tls/ provides it): answers to ACME
 * HTTP-01 challenges and redirects to https:// on the plain port, Strict-Transport-Security on TLS.
 * Called once per request head; both must be cheap and do no I/O.
 */
export interface Edge {
  /** A complete answer for this request, or undefined to route it as usual. */
  answer(head: RequestHead, secure: boolean): EdgeAnswer | undefined;
  /** Header lines added to the app's answers on a TLS connection ("" for none). */
  secureFields(host: string | undefined): string;
}
