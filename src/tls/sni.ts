import { createSecureContext, type SecureContext } from "node:tls";
import type { KeyedCertificate } from "./certificate.js";
import { HostTable } from "./host-table.js";

/**
 * The certificate each TLS handshake gets, by the name the client asked for (SNI). Contexts are made
 * once per certificate, not per handshake. A name with no certificate of its own fails the handshake:
 * it never gets another app's certificate, and a client without SNI gets none at all.
 */
export class SniContexts {
  private readonly contexts = new HostTable<SecureContext>();

  set(host: string, certificate: KeyedCertificate): void {
    this.contexts.set(host, createSecureContext({ key: certificate.keyPem, cert: certificate.chainPem }));
  }

  delete(host: string): void {
    this.contexts.delete(host);
  }

  has(host: string): boolean {
    return this.contexts.get(host) !== undefined;
  }

  readonly callback = (
    servername: string,
    done: (error: Error | null, context?: SecureContext) => void,
  ): void => {
    const context = this.contexts.get(servername);
    if (context) done(null, context);
    else done(new Error(`no certificate for ${servername}`));
  };
}
