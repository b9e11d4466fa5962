import type { FC } from "hono/jsx";
import type { IncidentView } from "../../monitor/incidents-api.js";
import { IncidentsTable } from "./incidents-table.js";
import { Layout } from "./layout.js";

export const IncidentsPage: FC<{
  incidents: IncidentView[];
  app: string | undefined;
  open: boolean;
  csrf: string;
  openIncidents: number;
  now: number;
  back: string;
}> = ({ incidents, app, open, csrf, openIncidents, now, back }) => {
  const query = (o: boolean) =>
    `/dashboard/incidents?${new URLSearchParams({ ...(app ? { app } : {}), ...(o ? { open: "1" } : {}) })}`;
  return (
    <Layout title="Incidents" csrf={csrf} nav="incidents" openIncidents={openIncidents}>
      <h1>Incidents{app ? ` of ${app}` : ""}</h1>
      <nav class="tabs" aria-label="Filter">
        <a href={query(false)} aria-current={open ? undefined : "page"}>
          all
        </a>
        <a href={query(true)} aria-current={open ? "page" : undefined}>
          open
        </a>
      </nav>
      {incidents.length === 0 ? (
        <p class="empty">{open ? "No open incidents." : "No incidents."}</p>
      ) : (
        <IncidentsTable incidents={incidents} csrf={csrf} now={now} back={back} showApp={app === undefined} />
      )}
    </Layout>
  );
};
