import { PRODUCTION } from "../../environments/names.js";
import type { IncidentView } from "../../monitor/incidents-api.js";
import { defineSection } from "../sections.js";
import { IncidentsTable } from "../views/incidents-table.js";

const RECENT = 10;

/** The app's recent incidents, open ones first to act on. */
export const incidentsSection = defineSection<IncidentView[]>({
  id: "incidents",
  title: "Incidents",
  load: (ctx) =>
    ctx.env === PRODUCTION ? ctx.deps.store.incidents.list({ app: ctx.app, limit: RECENT }) : undefined,
  View: ({ data, ctx }) =>
    data.length === 0 ? (
      <p class="empty">No incidents.</p>
    ) : (
      <>
        <IncidentsTable
          incidents={data}
          csrf={ctx.csrf}
          now={ctx.now}
          back={`/dashboard/apps/${ctx.app}#incidents`}
        />
        <p>
          <a href={`/dashboard/incidents?app=${ctx.app}`}>All incidents of {ctx.app} →</a>
        </p>
      </>
    ),
});
