import { computeDora, type DoraReport } from "../../metrics/dora.js";
import type { DashboardDeps } from "../deps.js";
import { type DoraSeries, doraSeries } from "./dora-series.js";

export const WINDOWS = [7, 30, 90] as const;
export type WindowDays = (typeof WINDOWS)[number];
const DAY = 86_400_000;

export function windowOf(text: string | undefined): WindowDays {
  const days = Number(text);
  return (WINDOWS as readonly number[]).includes(days) ? (days as WindowDays) : 30;
}

/**
 * DORA's keys over the last `days` for one app (or all), and the series the charts draw, from one read
 * of the ledger: the same records and the same rules (src/metrics/dora.ts) as `skiff metrics`.
 */
export function delivery(
  deps: DashboardDeps,
  app: string | undefined,
  days: WindowDays,
  now: number,
): { report: DoraReport; series: DoraSeries } {
  const since = now - days * DAY;
  const deploys = deps.store.releases.deliveryRecords(app, since);
  const incidents = deps.store.incidents.list({ ...(app ? { app } : {}), since, limit: 100_000 });
  return {
    report: computeDora({ deploys, incidents, since: new Date(since), until: new Date(now) }),
    series: doraSeries({ deploys, incidents, since, until: now }),
  };
}
