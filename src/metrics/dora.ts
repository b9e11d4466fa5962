/**
 * DORA's four keys and a solo operator's extra numbers, computed from the ledger's records.
 * Pure: the agent reads the records, this only counts. Bands and their sources: docs/metrics.md.
 */

import { PRODUCTION } from "../environments/names.js";

export type DeployOutcome = "live" | "superseded" | "failed" | "rolled-back";

export interface DeployRecord {
  app: string;
  env?: string | null;
  startedAt: string;
  finishedAt: string | null;
  outcome: DeployOutcome | (string & {});
  /** cli, webhook, promote (changes) or rollback, auto-rollback. */
  trigger: string;
  /** When the deployed commit was made (committer date). */
  commitTime: string | null;
  /** When the release took 100% of traffic; null if it never did. */
  wentLiveAt: string | null;
}

export interface IncidentRecord {
  /** The first failed check: an incident's duration, and so time to restore, counts from here. */
  startedAt: string;
  openedAt: string;
  resolvedAt: string | null;
}

export type Band = "elite" | "high" | "medium" | "low";

export interface DoraReport {
  since: string;
  until: string;
  days: number;
  deploymentFrequency: { deploys: number; perDay: number; perWeek: number; band: Band | null };
  leadTime: { medianMs: number | null; samples: number; band: Band | null };
  changeFailureRate: { failed: number; total: number; rate: number | null; band: Band | null };
  timeToRestore: { medianMs: number | null; resolved: number; open: number; band: Band | null };
  meanDeployDurationMs: number | null;
  rollbacks: number;
  incidentsPerWeek: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

/**
 * Thresholds from the 2023 Accelerate State of DevOps report's performance levels, made contiguous
 * where the report's clusters overlap or leave gaps (see docs/metrics.md). Each list is the upper
 * (or, for frequency, lower) limit of elite, high and medium; anything beyond is low.
 */
export const BANDS = {
  /** Deploys per day at least: daily (on demand), weekly, monthly. */
  deploymentFrequencyPerDay: [1, 1 / 7, 1 / 30],
  /** Lead time under: a day, a week, a month. */
  leadTimeMs: [DAY, WEEK, MONTH],
  /** Change failure rate at most: 5%, 10%, 15%. */
  changeFailureRate: [0.05, 0.1, 0.15],
  /** Time to restore under: an hour, a day, a week. */
  timeToRestoreMs: [HOUR, DAY, WEEK],
} as const;

const LEVELS: Band[] = ["elite", "high", "medium", "low"];

/** The first level whose limit `value` meets; `atLeast` for frequency, where more is better. */
export function band(
  value: number,
  limits: readonly number[],
  direction: "atMost" | "below" | "atLeast",
): Band {
  const index = limits.findIndex((limit) =>
    direction === "atLeast" ? value >= limit : direction === "below" ? value < limit : value <= limit,
  );
  return LEVELS[index === -1 ? 3 : index]!;
}

export function computeDora(input: {
  deploys: DeployRecord[];
  incidents: IncidentRecord[];
  since: Date;
  until: Date;
}): DoraReport {
  const from = input.since.getTime();
  const to = input.until.getTime();
  const inWindow = (iso: string | null) => iso !== null && Date.parse(iso) >= from && Date.parse(iso) < to;
  const days = Math.max((to - from) / DAY, 1 / 24);

  // Production changes only: previews and staging are not deliveries to users; rollbacks are not changes.
  const deploys = input.deploys.filter(
    (d) => !isRollback(d.trigger) && (d.env ?? PRODUCTION) === PRODUCTION && inWindow(d.startedAt),
  );
  const wentLive = deploys.filter((d) => d.wentLiveAt !== null);
  const failedInProduction = wentLive.filter((d) => d.outcome === "rolled-back" || d.outcome === "failed");
  const leadTimes = wentLive.flatMap((d) =>
    d.commitTime ? [Date.parse(d.wentLiveAt!) - Date.parse(d.commitTime)] : [],
  );
  const durations = deploys.flatMap((d) =>
    d.finishedAt ? [Date.parse(d.finishedAt) - Date.parse(d.startedAt)] : [],
  );
  const incidents = input.incidents.filter((i) => inWindow(i.openedAt));
  const restoreTimes = incidents.flatMap((i) =>
    i.resolvedAt ? [Date.parse(i.resolvedAt) - Date.parse(i.startedAt)] : [],
  );

  const perDay = wentLive.length / days;
  const leadMedian = median(leadTimes);
  const rate = wentLive.length > 0 ? failedInProduction.length / wentLive.length : null;
  const restoreMedian = median(restoreTimes);
  return {
    since: input.since.toISOString(),
    until: input.until.toISOString(),
    days: round(days, 2),
    deploymentFrequency: {
      deploys: wentLive.length,
      perDay: round(perDay, 3),
      perWeek: round(perDay * 7, 2),
      band: band(perDay, BANDS.deploymentFrequencyPerDay, "atLeast"),
    },
    leadTime: {
      medianMs: leadMedian,
      samples: leadTimes.length,
      band: leadMedian === null ? null : band(leadMedian, BANDS.leadTimeMs, "below"),
    },
    changeFailureRate: {
      failed: failedInProduction.length,
      total: wentLive.length,
      rate: rate === null ? null : round(rate, 4),
      band: rate === null ? null : band(rate, BANDS.changeFailureRate, "atMost"),
    },
    timeToRestore: {
      medianMs: restoreMedian,
      resolved: restoreTimes.length,
      open: incidents.length - restoreTimes.length,
      band: restoreMedian === null ? null : band(restoreMedian, BANDS.timeToRestoreMs, "below"),
    },
    meanDeployDurationMs: durations.length > 0 ? Math.round(sum(durations) / durations.length) : null,
    rollbacks: input.deploys.filter((d) => isRollback(d.trigger) && inWindow(d.startedAt)).length,
    incidentsPerWeek: round((incidents.length / days) * 7, 2),
  };
}

export function isRollback(trigger: string): boolean {
  return trigger === "rollback" || trigger === "auto-rollback";
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
