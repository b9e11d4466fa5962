import { isIP } from "node:net";
import { connect } from "node:tls";
import { describeError, failed, type ProbeResult, passed, timeoutText } from "./probe-result.js";

const DAY_MS = 86_400_000;
const EXPIRES_SOON = "certificate expires in";

/** Whether a TLS monitor's error says the certificate is about to expire (rather than broken). */
export function isExpiryWarning(error: string): boolean {
  return error.startsWith(EXPIRES_SOON);
}

export interface TlsProbeTarget {
  host: string;
  port: number;
  /** Fail when the certificate expires sooner than this. */
  expiresWithinMs: number;
  /** Connect here instead of `host`, which is still the name asked for (SNI) and checked. */
  address?: string | undefined;
}

/**
 * Handshake, then judge the certificate: trusted for the host, and not expiring within the window.
 * The handshake does not reject an untrusted certificate itself so that the expiry can still be read.
 */
export function probeTls(target: TlsProbeTarget, timeoutMs: number, ca?: string[]): Promise<ProbeResult> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const socket = connect({
      host: target.address ?? target.host,
      port: target.port,
      servername: isIP(target.host) ? undefined : target.host,
      rejectUnauthorized: false,
      ca,
    });
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(failed(startedAt, timeoutText(timeoutMs))), timeoutMs);
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      const expiresAt = new Date(cert.valid_to);
      finish(judgeCertificate(startedAt, expiresAt, target.expiresWithinMs, socket.authorizationError));
    });
    socket.once("error", (error) => finish(failed(startedAt, describeError(error))));
  });
}

function judgeCertificate(
  startedAt: number,
  expiresAt: Date,
  expiresWithinMs: number,
  authorizationError: Error | null | undefined,
): ProbeResult {
  if (Number.isNaN(expiresAt.getTime())) return failed(startedAt, "the server sent no certificate");
  const certExpiresAt = expiresAt.toISOString();
  const leftMs = expiresAt.getTime() - Date.now();
  if (leftMs <= 0) return failed(startedAt, `certificate expired on ${certExpiresAt}`, { certExpiresAt });
  if (leftMs < expiresWithinMs) {
    const days = Math.floor(leftMs / DAY_MS);
    const left = days >= 1 ? `${days} day${days === 1 ? "" : "s"}` : `${Math.ceil(leftMs / 3_600_000)} hours`;
    return failed(startedAt, `${EXPIRES_SOON} ${left} (${certExpiresAt})`, { certExpiresAt });
  }
  if (authorizationError) {
    return failed(startedAt, `certificate not trusted: ${describeError(authorizationError)}`, {
      certExpiresAt,
    });
  }
  return passed(startedAt, { certExpiresAt });
}
