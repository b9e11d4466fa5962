import type { FC } from "hono/jsx";
import type { IncidentView } from "../../monitor/incidents-api.js";
import { Ago, Badge, CsrfField, Head, span } from "./parts.js";

/** Incidents newest first; open ones can be acknowledged (they stay open until the monitor recovers). */
export const IncidentsTable: FC<{
  incidents: IncidentView[];
  csrf: string;
  now: number;
  /** Where to come back to after acknowledging. */
  back: string;
  showApp?: boolean;
}> = ({ incidents, csrf, now, back, showApp = false }) => (
  <div class="table-wrap">
    <table class="stack incidents">
      <Head
        columns={[
          ...(showApp ? ["App"] : []),
          "Monitor",
          "State",
          "Started",
          "Duration",
          "Cause",
          "Release",
          "",
        ]}
        optional={["Release"]}
      />
      <tbody>
        {incidents.map((i) => (
          <tr data-incident={i.id}>
            {showApp && (
              <td data-label="App">
                <a href={`/dashboard/apps/${i.app}`}>{i.app}</a>
              </td>
            )}
            <td data-label="Monitor">{i.monitor}</td>
            <td data-label="State">
              {i.resolvedAt !== null ? (
                <Badge tone="ok">resolved</Badge>
              ) : i.acknowledgedAt !== null ? (
                <Badge tone="warn" title={`acknowledged by ${i.acknowledgedBy ?? "someone"}`}>
                  acknowledged
                </Badge>
              ) : (
                <Badge tone="bad">open</Badge>
              )}
            </td>
            <td data-label="Started">
              <Ago at={i.startedAt} now={now} />
            </td>
            <td data-label="Duration">
              {i.resolvedAt === null ? `open ${span(now - Date.parse(i.startedAt))}` : span(i.durationMs)}
            </td>
            <td class="cause" data-label="Cause">
              {i.cause}
            </td>
            <td class="opt" data-label="Release">
              {i.release ?? "–"}
            </td>
            <td class="action">
              {i.resolvedAt === null && i.acknowledgedAt === null && (
                <form method="post" action={`/dashboard/incidents/${i.id}/ack`}>
                  <CsrfField csrf={csrf} />
                  <input type="hidden" name="next" value={back} />
                  <button type="submit">Acknowledge</button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);
