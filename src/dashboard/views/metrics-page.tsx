import type { FC } from "hono/jsx";
import type { DoraReport } from "../../metrics/dora.js";
import { WINDOWS, type WindowDays } from "../data/delivery.js";
import type { DoraSeries } from "../data/dora-series.js";
import { DoraCards, DoraCharts } from "./dora.js";
import { Layout } from "./layout.js";

/** DORA's keys with their bands, and charts over 7, 30 or 90 days, for one app or all of them. */
export const MetricsPage: FC<{
  app: string | undefined;
  apps: string[];
  days: WindowDays;
  report: DoraReport;
  series: DoraSeries;
  csrf: string;
  openIncidents: number;
}> = ({ app, apps, days, report, series, csrf, openIncidents }) => {
  const link = (a: string | undefined, d: number) => {
    const query = new URLSearchParams();
    if (a) query.set("app", a);
    query.set("days", String(d));
    return `/dashboard/metrics?${query}`;
  };
  return (
    <Layout title="Delivery" csrf={csrf} nav="delivery" openIncidents={openIncidents} charts>
      <h1>Delivery{app ? ` of ${app}` : ", all apps"}</h1>
      <nav class="tabs" aria-label="Window">
        {WINDOWS.map((d) => (
          <a href={link(app, d)} aria-current={d === days ? "page" : undefined}>
            {d} days
          </a>
        ))}
      </nav>
      {apps.length > 1 && (
        <nav class="tabs" aria-label="App">
          <a href={link(undefined, days)} aria-current={app === undefined ? "page" : undefined}>
            all apps
          </a>
          {apps.map((a) => (
            <a href={link(a, days)} aria-current={a === app ? "page" : undefined}>
              {a}
            </a>
          ))}
        </nav>
      )}
      <DoraCards report={report} />
      <DoraCharts series={series} />
      <p class="subtle">
        Production changes only: rollbacks, staging and previews are not deliveries. The bands are those of
        the Accelerate State of DevOps report; docs/metrics.md has the details.
      </p>
    </Layout>
  );
};
