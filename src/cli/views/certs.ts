import { PRODUCTION } from "../../environments/names.js";
import type { CertsResponse, CertView } from "../../tls/certs-api.js";
import { formatTime, type Output } from "../output.js";

/** `skiff certs`: one row per host; a failing or missing certificate says why on the lines below. */
export function printCerts(out: Output, body: CertsResponse): void {
  if (out.json) {
    out.result(body);
    return;
  }
  if (!body.enabled) {
    out.line("HTTPS is off on this agent: start it with --tls-listen 0.0.0.0:443 (see docs/tls.md).");
    return;
  }
  if (body.certificates.length === 0) {
    out.line(
      `No hosts need certificates yet (HTTPS on ${body.listen}); deploy an app with host: in skiff.yml.`,
    );
    return;
  }
  out.table(
    ["HOST", "APP", "SOURCE", "ISSUER", "EXPIRES", "RENEWS", "LAST ATTEMPT"],
    body.certificates.map((c) => [
      c.host,
      c.env === PRODUCTION ? c.app : `${c.app}/${c.env}`,
      c.source,
      c.issuer ?? "-",
      c.notAfter ? formatTime(c.notAfter) : "-",
      c.renewAt ? formatTime(c.renewAt) : "-",
      lastAttempt(out, c),
    ]),
  );
  for (const c of body.certificates) {
    if (c.problem) out.warn(`${c.host}: ${c.problem}`);
    else if (c.lastAttempt && !c.lastAttempt.ok)
      out.warn(
        `${c.host}: ${c.lastAttempt.error}${c.nextAttemptAt ? ` (next attempt ${formatTime(c.nextAttemptAt)})` : ""}`,
      );
  }
}

function lastAttempt(out: Output, c: CertView): string {
  if (!c.lastAttempt) return "-";
  const when = formatTime(c.lastAttempt.at);
  if (c.lastAttempt.ok) return `${when} ok`;
  return out.paint("red", `${when} failed${c.failures > 1 ? ` (${c.failures} in a row)` : ""}`);
}
