import { formatSpan, parseDuration } from "../../config/duration.js";
import { UsageError } from "../../errors.js";
import type { Band } from "../../metrics/dora.js";
import type { DeliveryMetricsResponse } from "../../metrics/metrics-api.js";
import type { Output } from "../output.js";

/** `--since 30d` → milliseconds; a clear usage error naming the flag otherwise. */
export function parseSinceFlag(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`--since: expected a duration like 30d, 12h or 90m, got ${JSON.stringify(text)}`);
  }
  return ms;
}

/** `skiff metrics`: the four keys with their DORA band, then the operator's own numbers. */
export function printMetrics(out: Output, body: DeliveryMetricsResponse): void {
  if (out.json) {
    out.result(body);
    return;
  }
  for (const [label, value, band] of metricsRows(body)) {
    const shown = band === undefined ? "" : band === null ? out.paint("dim", "n/a") : paintBand(out, band);
    out.line(`  ${label.padEnd(24)}${value.padEnd(34)}${shown}`.trimEnd());
  }
  out.line(out.paint("dim", "  Bands: DORA's 2023 State of DevOps performance levels (docs/metrics.md)"));
}

/** [label, value, band] per line; band undefined for numbers that have none. The first row is the heading. */
export function metricsRows(body: DeliveryMetricsResponse): Array<[string, string, Band | null | undefined]> {
  const r = body.report;
  const f = r.deploymentFrequency;
  const lead = r.leadTime;
  const cfr = r.changeFailureRate;
  const ttr = r.timeToRestore;
  const days = Number.isInteger(r.days) ? `${r.days} days` : `${r.days.toFixed(1)} days`;
  return [
    [
      `${body.app ?? "All apps"}, last ${days}`,
      `${r.since.slice(0, 10)} → ${r.until.slice(0, 10)}`,
      undefined,
    ],
    ["Deployment frequency", `${f.deploys} deploys, ${f.perWeek}/week`, f.band],
    [
      "Lead time for changes",
      lead.medianMs === null
        ? "no deploys with a commit time"
        : `${formatSpan(lead.medianMs)} (median of ${lead.samples})`,
      lead.band,
    ],
    [
      "Change failure rate",
      cfr.rate === null
        ? "no deploys went live"
        : `${round(cfr.rate * 100)}% (${cfr.failed} of ${cfr.total})`,
      cfr.band,
    ],
    [
      "Time to restore",
      ttr.medianMs === null
        ? `no resolved incidents${ttr.open > 0 ? `, ${ttr.open} open` : ""}`
        : `${formatSpan(ttr.medianMs)} (median of ${ttr.resolved}${ttr.open > 0 ? `, ${ttr.open} open` : ""})`,
      ttr.band,
    ],
    [
      "Mean deploy duration",
      r.meanDeployDurationMs === null ? "-" : formatSpan(r.meanDeployDurationMs),
      undefined,
    ],
    ["Rollbacks", String(r.rollbacks), undefined],
    ["Incidents per week", String(r.incidentsPerWeek), undefined],
  ];
}

const BAND_STYLE = { elite: "green", high: "green", medium: "yellow", low: "red" } as const;

function paintBand(out: Output, band: Band): string {
  return out.paint(BAND_STYLE[band], band);
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
