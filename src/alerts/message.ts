import { formatSpan } from "../config/duration.js";
import type { IncidentEventRecord } from "../monitor/monitor-service.js";
import { isExpiryWarning } from "../monitor/tls-probe.js";
import { redactUrlCredentials } from "./redact.js";

/**
 * What an alert says, independent of the channel: what broke, since when, which release is live,
 * and the exact command that fixes it. Channels only format this; none adds facts of its own.
 */

export type AlertKind =
  | "incident-opened"
  | "incident-resolved"
  | "cert-expiring"
  | "cert-failed"
  | "cert-recovered"
  | "deploy-failed"
  | "auto-rollback"
  | "backup-failed"
  | "backup-stale"
  | "test";

export type Severity = "critical" | "warning" | "resolved" | "info";

export interface ReleaseRef {
  id: string;
  version?: string | null;
  commit?: string | null;
  /** Its environment when not production: the rollback command must name it. */
  env?: string | null;
}

export interface AlertMessage {
  kind: AlertKind;
  severity: Severity;
  app: string;
  /** One line, e.g. `hello: monitor "home" is down`. */
  title: string;
  /** What happened, one fact per line. */
  details: string[];
  /** When the trouble started (ISO 8601), if it has a start. */
  since: string | null;
  /** The release serving traffic now, as text (`r42 (v1.2.0, abc1234)`), or null if none is live. */
  liveRelease: string | null;
  /** The command to run, exactly as typed, with what it does. */
  command: { label: string; text: string };
  /** When this message was made (ISO 8601). */
  at: string;
}

export function describeRelease(release: ReleaseRef | null | undefined): string | null {
  if (!release) return null;
  const extra = [release.version, release.commit?.slice(0, 7)].filter(Boolean);
  return extra.length > 0 ? `${release.id} (${extra.join(", ")})` : release.id;
}

function rollback(app: string, to?: string, env?: string | null): string {
  return [`skiff rollback --app ${app}`, env ? ` --env ${env}` : "", to ? ` --to ${to}` : ""].join("");
}

function message(
  fields: Omit<AlertMessage, "at" | "details"> & { details: string[]; at?: Date },
): AlertMessage {
  return {
    ...fields,
    details: fields.details.map(redactUrlCredentials),
    title: redactUrlCredentials(fields.title),
    at: (fields.at ?? new Date()).toISOString(),
  };
}

/** The message for an incident a monitor opened or resolved; TLS expiry gets its own wording. */
export function incidentMessage(record: IncidentEventRecord, live: ReleaseRef | null): AlertMessage {
  const { app, monitor, target, event } = record;
  const liveRelease = describeRelease(live);
  const { incident } = event;
  if (event.type === "resolved") {
    return message({
      kind: "incident-resolved",
      severity: "resolved",
      app,
      title: record.monitorRemoved
        ? `${app}: monitor "${monitor}" was removed; its incident is closed`
        : `${app}: monitor "${monitor}" is back up`,
      details: [
        `Checked: ${target}`,
        `Was down for ${formatSpan(Date.parse(event.resolvedAt) - Date.parse(incident.startedAt))}; last error: ${incident.cause}`,
      ],
      since: incident.startedAt,
      liveRelease,
      command: { label: "If it breaks again", text: rollback(app) },
      at: new Date(event.resolvedAt),
    });
  }
  const certificate = record.kind === "tls" && isExpiryWarning(incident.cause);
  return message({
    kind: certificate ? "cert-expiring" : "incident-opened",
    severity: certificate ? "warning" : "critical",
    app,
    title: certificate
      ? `${app}: the TLS certificate checked by "${monitor}" expires soon`
      : `${app}: monitor "${monitor}" is down`,
    details: [
      `Checked: ${target}`,
      `What broke: ${incident.cause}`,
      ...(certificate ? ["Renew the certificate before it expires; a rollback does not change it."] : []),
    ],
    since: incident.startedAt,
    liveRelease,
    // An HTTP check sees what the release serves; a TCP or TLS one sees a service beside it (a
    // database, a certificate), which a rollback only fixes if the release broke it.
    command:
      record.kind === "http"
        ? { label: "Fix (switch back to the previous release)", text: rollback(app) }
        : { label: "If the latest release caused it", text: rollback(app) },
    at: new Date(incident.openedAt),
  });
}

export function deployFailedMessage(input: {
  app: string;
  release: ReleaseRef;
  reason: string;
  startedAt: string;
  live: ReleaseRef | null;
}): AlertMessage {
  const live = describeRelease(input.live);
  return message({
    kind: "deploy-failed",
    severity: "critical",
    app: input.app,
    title: `${input.app}: deploy of ${describeRelease(input.release)} failed`,
    details: [`What broke: ${input.reason}`, live ? `${live} keeps serving` : "No release is serving"],
    since: input.startedAt,
    liveRelease: live,
    command: {
      label: "If the live release misbehaves too",
      text: rollback(input.app, undefined, input.release.env),
    },
  });
}

export function autoRollbackMessage(input: {
  app: string;
  from: ReleaseRef;
  to: ReleaseRef;
  reason: string;
  switchedAt: string;
}): AlertMessage {
  return message({
    kind: "auto-rollback",
    severity: "critical",
    app: input.app,
    title: `${input.app}: ${describeRelease(input.from)} was rolled back automatically`,
    details: [`What broke: ${input.reason}`, `Traffic went back to ${describeRelease(input.to)}`],
    since: input.switchedAt,
    liveRelease: describeRelease(input.to),
    command: { label: "To put the new release back anyway", text: rollback(input.app, input.from.id) },
  });
}

export function testMessage(app: string, live: ReleaseRef | null): AlertMessage {
  return message({
    kind: "test",
    severity: "info",
    app,
    title: `${app}: test alert from skiff`,
    details: ["This is a test sent by `skiff alerts test`. If you can read it, this channel works."],
    since: null,
    liveRelease: describeRelease(live),
    command: { label: "In a real alert, the fix would read", text: rollback(app) },
  });
}

/** The message as plain lines, for email, ntfy and the fallback text of chat channels. */
export function messageLines(m: AlertMessage): string[] {
  return [
    ...m.details,
    ...(m.since ? [`Since: ${formatInstant(m.since)}`] : []),
    `Live release: ${m.liveRelease ?? "none"}`,
    `${m.command.label}: ${m.command.text}`,
  ];
}

export function formatInstant(iso: string): string {
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}
