import { PRODUCTION } from "../../environments/names.js";
import type { DeployRecord, IncidentRecord } from "../../metrics/dora.js";
import { isRollback, median } from "../../metrics/dora.js";

const DAY = 86_400_000;

/** A point on a chart: x in epoch seconds (uPlot's unit), y in ms. */
export type Point = [x: number, y: number];

/** What the delivery charts draw, counted as src/metrics/dora.ts counts the report beside them. */
export interface DoraSeries {
  /** The window, epoch seconds: the charts' x range. */
  since: number;
  until: number;
  /** The start of each day-long bucket, epoch seconds. */
  days: number[];
  /** Production changes (not rollbacks) started that day that went live… */
  wentLive: number[];
  /** …of which later failed in production (rolled back, or failed after the switch). */
  failedInProduction: number[];
  /** Deploys that failed before they took any traffic. */
  failedBeforeLive: number[];
  /** Commit → live, per change that went live. */
  leadTime: Point[];
  /** Start → finished, per deploy. */
  deployDuration: Point[];
  /** First failed check → resolved, per incident opened in the window and since resolved. */
  timeToRestore: Point[];
}

export function doraSeries(input: {
  deploys: DeployRecord[];
  incidents: IncidentRecord[];
  since: number;
  until: number;
}): DoraSeries {
  const { since, until } = input;
  const buckets = Math.max(1, Math.ceil((until - since) / DAY));
  const zeros = () => new Array<number>(buckets).fill(0);
  const series: DoraSeries = {
    since: since / 1000,
    until: until / 1000,
    days: Array.from({ length: buckets }, (_, i) => (since + i * DAY) / 1000),
    wentLive: zeros(),
    failedInProduction: zeros(),
    failedBeforeLive: zeros(),
    leadTime: [],
    deployDuration: [],
    timeToRestore: [],
  };
  const seconds = (iso: string) => Date.parse(iso) / 1000;
  for (const d of input.deploys) {
    const started = Date.parse(d.startedAt);
    if (isRollback(d.trigger) || (d.env ?? PRODUCTION) !== PRODUCTION) continue;
    if (started < since || started >= until) continue;
    const day = Math.floor((started - since) / DAY);
    if (d.finishedAt) series.deployDuration.push([seconds(d.startedAt), Date.parse(d.finishedAt) - started]);
    if (d.wentLiveAt === null) {
      if (d.outcome === "failed") series.failedBeforeLive[day]! += 1;
      continue;
    }
    series.wentLive[day]! += 1;
    if (d.outcome === "rolled-back" || d.outcome === "failed") series.failedInProduction[day]! += 1;
    if (d.commitTime)
      series.leadTime.push([seconds(d.wentLiveAt), Date.parse(d.wentLiveAt) - Date.parse(d.commitTime)]);
  }
  for (const i of input.incidents) {
    const opened = Date.parse(i.openedAt);
    if (opened < since || opened >= until || i.resolvedAt === null) continue;
    series.timeToRestore.push([seconds(i.resolvedAt), Date.parse(i.resolvedAt) - Date.parse(i.startedAt)]);
  }
  series.leadTime = thin(series.leadTime, since, until);
  series.deployDuration = thin(series.deployDuration, since, until);
  series.timeToRestore = thin(series.timeToRestore, since, until);
  return series;
}

/** More points than this on one chart are drawn as one median point per bucket of time. */
export const MAX_POINTS = 300;

/**
 * Points in time order; past MAX_POINTS, the median of each of MAX_POINTS equal slices of the window,
 * so a chart over 10,000 deploys stays readable and its page small.
 */
export function thin(points: Point[], since: number, until: number): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  if (sorted.length <= MAX_POINTS) return sorted;
  const width = (until - since) / 1000 / MAX_POINTS;
  const buckets = new Map<number, number[]>();
  for (const [x, y] of sorted) {
    const bucket = Math.min(MAX_POINTS - 1, Math.floor((x - since / 1000) / width));
    const list = buckets.get(bucket) ?? [];
    list.push(y);
    buckets.set(bucket, list);
  }
  return [...buckets].map(([bucket, ys]) => [since / 1000 + (bucket + 0.5) * width, median(ys)!]);
}
