import type { FC } from "hono/jsx";
import type { DoraReport } from "../../metrics/dora.js";
import type { DoraSeries, Point } from "../data/dora-series.js";
import { BandBadge, plural, span } from "./parts.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** DORA's four keys, each with its band and what the bands mean (docs/metrics.md has the sources). */
export const DoraCards: FC<{ report: DoraReport }> = ({ report }) => {
  const f = report.deploymentFrequency;
  const rate = report.changeFailureRate;
  const restore = report.timeToRestore;
  return (
    <div class="dora">
      <Key
        name="Deployment frequency"
        value={`${f.perWeek} / week`}
        detail={`${plural(f.deploys, "change")} went live in ${report.days} days`}
        band={f.band}
        bands="elite: daily or more · high: weekly · medium: monthly"
      />
      <Key
        name="Lead time for changes"
        value={span(report.leadTime.medianMs)}
        detail={`median of ${report.leadTime.samples}, commit → live`}
        band={report.leadTime.band}
        bands="elite: under a day · high: a week · medium: a month"
      />
      <Key
        name="Change failure rate"
        value={rate.rate === null ? "–" : `${Math.round(rate.rate * 1000) / 10}%`}
        detail={`${rate.failed} of ${rate.total} failed in production`}
        band={rate.band}
        bands="elite: ≤ 5% · high: ≤ 10% · medium: ≤ 15%"
      />
      <Key
        name="Time to restore"
        value={span(restore.medianMs)}
        detail={`median of ${restore.resolved} resolved${restore.open > 0 ? `, ${restore.open} open` : ""}`}
        band={restore.band}
        bands="elite: under an hour · high: a day · medium: a week"
      />
      <p class="extras subtle">
        Mean deploy {span(report.meanDeployDurationMs)} · {report.rollbacks} rollbacks ·{" "}
        {report.incidentsPerWeek} incidents a week
      </p>
    </div>
  );
};

const Key: FC<{
  name: string;
  value: string;
  detail: string;
  band: DoraReport["leadTime"]["band"];
  bands: string;
}> = (p) => (
  <div class="key card">
    <h3>{p.name}</h3>
    <p class="value">
      {p.value} <BandBadge band={p.band} />
    </p>
    <p class="subtle">{p.detail}</p>
    <p class="bands">{p.bands}</p>
  </div>
);

/** What dashboard.js turns into a uPlot chart; the same numbers are in the table beside it. */
export interface ChartSpec {
  kind: "bars" | "points";
  unit: "count" | "ms";
  /** The x range, epoch seconds: the whole window, wherever the points fall. */
  range: [number, number];
  x: number[];
  series: Array<{ label: string; values: number[]; tone: "ok" | "bad" | "warn" | "info" }>;
  /** Band limits drawn as dashed lines. */
  lines?: Array<{ label: string; value: number }>;
}

export const DoraCharts: FC<{ series: DoraSeries }> = ({ series }) => (
  <div class="charts">
    <Chart
      title="Deploys per day"
      spec={{
        kind: "bars",
        unit: "count",
        range: [series.since, series.until],
        x: series.days,
        series: [
          { label: "went live", values: series.wentLive, tone: "ok" },
          { label: "failed in production", values: series.failedInProduction, tone: "bad" },
          { label: "failed before live", values: series.failedBeforeLive, tone: "warn" },
        ],
      }}
    />
    <PointChart
      title="Lead time (commit → live)"
      range={[series.since, series.until]}
      points={series.leadTime}
      lines={[
        { label: "elite < 1 day", value: DAY },
        { label: "high < 1 week", value: 7 * DAY },
      ]}
    />
    <PointChart
      title="Time to restore"
      range={[series.since, series.until]}
      points={series.timeToRestore}
      lines={[
        { label: "elite < 1 hour", value: HOUR },
        { label: "high < 1 day", value: DAY },
      ]}
    />
    <PointChart title="Deploy duration" range={[series.since, series.until]} points={series.deployDuration} />
  </div>
);

const PointChart: FC<{
  title: string;
  range: [number, number];
  points: Point[];
  lines?: ChartSpec["lines"];
}> = ({ title, range, points, lines }) => (
  <Chart
    title={title}
    spec={{
      kind: "points",
      unit: "ms",
      range,
      x: points.map(([x]) => x),
      series: [{ label: title, values: points.map(([, y]) => y), tone: "info" }],
      ...(lines ? { lines } : {}),
    }}
  />
);

const Chart: FC<{ title: string; spec: ChartSpec }> = ({ title, spec }) => {
  const empty = spec.x.length === 0 || spec.series.every((s) => s.values.every((v) => v === 0));
  return (
    <figure class="chart card">
      <figcaption>{title}</figcaption>
      {empty ? (
        <p class="empty">Nothing in this window.</p>
      ) : (
        <>
          <div class="plot" data-chart={JSON.stringify(spec)} role="img" aria-label={title} />
          <details>
            <summary>Data</summary>
            <ChartTable spec={spec} />
          </details>
        </>
      )}
    </figure>
  );
};

const ChartTable: FC<{ spec: ChartSpec }> = ({ spec }) => (
  <div class="table-wrap">
    <table>
      <thead>
        <tr>
          <th scope="col">{spec.kind === "bars" ? "Day" : "When"}</th>
          {spec.series.map((s) => (
            <th scope="col">{s.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {spec.x.map((x, i) =>
          spec.kind === "bars" && spec.series.every((s) => s.values[i] === 0) ? null : (
            <tr>
              <td>
                {new Date(x * 1000)
                  .toISOString()
                  .slice(0, spec.kind === "bars" ? 10 : 16)
                  .replace("T", " ")}
              </td>
              {spec.series.map((s) => (
                <td>{spec.unit === "ms" ? span(s.values[i]) : s.values[i]}</td>
              ))}
            </tr>
          ),
        )}
      </tbody>
    </table>
  </div>
);
