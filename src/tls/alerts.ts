import type { AlertMessage } from "../alerts/message.js";
import { formatInstant } from "../alerts/message.js";
import type { CertInfo } from "./certificate.js";

/**
 * What the app's alert channels are told about its certificates: an order that failed (and what keeps
 * serving meanwhile), and the success that follows failures.
 */

const SEE_CERTS = { label: "Every certificate, its expiry and last attempt", text: "skiff certs" };

export function certificateFailedMessage(input: {
  app: string;
  host: string;
  error: string;
  failures: number;
  current: CertInfo | undefined;
  nextAttemptAt: number;
  since: number;
}): AlertMessage {
  const { app, host, current } = input;
  return {
    kind: "cert-failed",
    severity: current && current.notAfter > Date.now() ? "warning" : "critical",
    app,
    title: current
      ? `${app}: the certificate of ${host} could not be renewed`
      : `${app}: no certificate could be obtained for ${host}`,
    details: [
      `What broke: ${input.error}`,
      current
        ? `The current certificate keeps serving; it expires ${formatInstant(new Date(current.notAfter).toISOString())}`
        : `https://${host}/ fails its TLS handshake until a certificate is issued; plain HTTP keeps working`,
      `Attempts failed in a row: ${input.failures}; next attempt ${formatInstant(new Date(input.nextAttemptAt).toISOString())}`,
      "Check that the host's DNS points at this server and that port 80 reaches the agent's --listen port",
    ],
    since: new Date(input.since).toISOString(),
    liveRelease: null,
    command: SEE_CERTS,
    at: new Date().toISOString(),
  };
}

export function certificateRecoveredMessage(input: {
  app: string;
  host: string;
  certificate: CertInfo;
}): AlertMessage {
  return {
    kind: "cert-recovered",
    severity: "resolved",
    app: input.app,
    title: `${input.app}: ${input.host} has a new certificate`,
    details: [
      `Issued by ${input.certificate.issuer}, valid until ${formatInstant(new Date(input.certificate.notAfter).toISOString())}`,
    ],
    since: null,
    liveRelease: null,
    command: SEE_CERTS,
    at: new Date().toISOString(),
  };
}
