import { formatSpan } from "../../config/duration.js";
import type { IncidentsResponse, IncidentView } from "../../monitor/incidents-api.js";
import { formatTime, type Output } from "../output.js";

/** `skiff incidents`: newest first; open ones say for how long they have been open. */
export function printIncidents(
  out: Output,
  body: IncidentsResponse,
  options: { open?: boolean; now?: Date } = {},
): void {
  if (out.json) {
    out.result(body);
    return;
  }
  if (body.incidents.length === 0) {
    out.line(options.open ? "No open incidents." : "No incidents.");
    return;
  }
  const now = options.now ?? new Date();
  out.table(
    ["ID", "APP", "MONITOR", "STARTED", "DURATION", "RELEASE", "CAUSE"],
    incidentRows(body.incidents, now).map(([id, app, monitor, started, duration, release, cause], i) => [
      id!,
      app!,
      monitor!,
      started!,
      body.incidents[i]!.resolvedAt === null ? out.paint("red", duration!) : duration!,
      release!,
      cause!,
    ]),
  );
}

export function incidentRows(incidents: IncidentView[], now: Date): string[][] {
  return [...incidents]
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
    .map((i) => [
      i.id,
      i.app,
      i.monitor,
      formatTime(i.startedAt),
      i.resolvedAt === null
        ? `open ${formatSpan(now.getTime() - Date.parse(i.startedAt))}`
        : formatSpan(i.durationMs ?? Date.parse(i.resolvedAt) - Date.parse(i.startedAt)),
      i.release ?? "-",
      i.cause,
    ]);
}
