import type { FC } from "hono/jsx";
import {
  type CertificatesPanel,
  type CertState,
  type HostCertificate,
  loadCertificates,
} from "../data/certificates.js";
import { defineSection } from "../sections.js";
import { Ago, Badge, Head, In, plural, type Tone } from "../views/parts.js";

const STATE: Record<CertState, [Tone, string]> = {
  issued: ["ok", "issued"],
  expiring: ["warn", "expiring"],
  expired: ["bad", "expired"],
  failed: ["bad", "failed"],
  pending: ["info", "pending"],
  off: ["muted", "tls: off"],
};

/** The certificate of each host of the app, when the agent serves HTTPS; one line saying how otherwise. */
export const certificatesSection = defineSection<CertificatesPanel>({
  id: "certificates",
  title: "Certificates",
  load: (ctx) => loadCertificates(ctx.deps, ctx.app, ctx.env, ctx.now),
  View: ({ data, ctx }) =>
    !data.enabled ? (
      <p class="empty https-off">
        HTTPS is off on this agent. To serve the app's hosts over HTTPS with certificates from Let's Encrypt,
        start it with <code class="command">skiff agent --tls-listen 0.0.0.0:443 --acme-email …</code> (and
        ports 80 and 443 open).
      </p>
    ) : data.hosts.length === 0 ? (
      <p class="empty">No host: in skiff.yml, so no certificate: certificates are per host.</p>
    ) : (
      <div class="table-wrap">
        <table class="stack certificates">
          <caption class="visually-hidden">Certificates of the app's hosts</caption>
          <Head
            columns={["Host", "State", "Issuer", "Expires", "Last attempt", "HTTPS only"]}
            optional={["Issuer"]}
          />
          <tbody>
            {data.hosts.map((h) => (
              <tr data-host={h.host} data-state={h.state}>
                <td data-label="Host">{h.host}</td>
                <td data-label="State">
                  <Badge tone={STATE[h.state][0]}>{STATE[h.state][1]}</Badge>
                  {h.error && <div class="cause">{h.error}</div>}
                </td>
                <td class="opt" data-label="Issuer">
                  {h.issuer ?? "–"}
                  {h.source === "files" && <div class="subtle">the app's own files</div>}
                </td>
                <td data-label="Expires">
                  <Expiry cert={h} now={ctx.now} />
                </td>
                <td data-label="Last attempt">
                  <LastAttempt cert={h} now={ctx.now} />
                </td>
                <td data-label="HTTPS only">
                  {h.httpsOnly ? "yes, HTTP redirects" : "no"}
                  {h.hstsMaxAge !== null && <div class="subtle">HSTS {h.hstsMaxAge}s</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    ),
});

const Expiry: FC<{ cert: HostCertificate; now: number }> = ({ cert, now }) => {
  if (cert.notAfter === null || cert.daysLeft === null) return <span>–</span>;
  return (
    <>
      <time datetime={cert.notAfter} title={cert.notAfter}>
        {cert.notAfter.slice(0, 10)}
      </time>{" "}
      <span class="days-left">
        ({cert.daysLeft < 0 ? `${plural(-cert.daysLeft, "day")} ago` : `${plural(cert.daysLeft, "day")} left`}
        )
      </span>
      {cert.renewAt && Date.parse(cert.renewAt) > now && (
        <div class="subtle">
          renews <In at={Date.parse(cert.renewAt)} now={now} />
        </div>
      )}
    </>
  );
};

const LastAttempt: FC<{ cert: HostCertificate; now: number }> = ({ cert, now }) => {
  if (!cert.lastAttempt) return <span>–</span>;
  return (
    <>
      <Ago at={cert.lastAttempt.at} now={now} /> {cert.lastAttempt.ok ? "ok" : "failed"}
      {cert.failures > 0 && (
        <div class="subtle">
          {plural(cert.failures, "failure")} in a row
          {cert.nextAttemptAt && (
            <>
              , next try <In at={Date.parse(cert.nextAttemptAt)} now={now} />
            </>
          )}
        </div>
      )}
    </>
  );
};
