import { PRODUCTION } from "../../environments/names.js";
import type { MonitorStatus } from "../../monitor/monitor-service.js";
import { defineSection } from "../sections.js";
import { Ago, Badge, Head, span } from "../views/parts.js";

/** The app's monitors as last checked (production: monitors watch the production deployment). */
export const monitorsSection = defineSection<MonitorStatus[]>({
  id: "monitors",
  title: "Monitors",
  load: (ctx) => (ctx.env === PRODUCTION ? ctx.deps.monitoring.monitors(ctx.app) : undefined),
  View: ({ data, ctx }) =>
    data.length === 0 ? (
      <p class="empty">No monitors run for this app (it has no live production release).</p>
    ) : (
      <div class="table-wrap">
        <table class="stack monitors">
          <Head
            columns={["Monitor", "State", "Last check", "Latency", "Target", "Last error"]}
            optional={["Latency", "Target"]}
          />
          <tbody>
            {data.map((m) => (
              <tr data-monitor={m.monitor}>
                <td data-label="Monitor">{m.monitor}</td>
                <td data-label="State">
                  {m.state.incident ? (
                    <Badge tone="bad">incident</Badge>
                  ) : m.up === null ? (
                    <Badge tone="muted">pending</Badge>
                  ) : m.up ? (
                    <Badge tone="ok">up</Badge>
                  ) : (
                    <Badge tone="warn">failing</Badge>
                  )}
                </td>
                <td data-label="Last check">
                  <Ago at={m.lastCheckAt} now={ctx.now} />
                </td>
                <td class="opt" data-label="Latency">
                  {span(m.latencyMs)}
                </td>
                <td class="opt target" data-label="Target">
                  {m.target}
                </td>
                <td class="cause" data-label="Last error">
                  {m.lastError ?? "–"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    ),
});
