import type { ScanTotals } from "./file-reader.js";
import {
  CHECK_NAMES,
  type CheckName,
  type CheckSummary,
  type Finding,
  type PreflightSummary,
} from "./types.js";

export interface SummaryCounts {
  scan: ScanTotals;
  ignored: number;
  commits?: number;
  baselined: number;
  durations: Partial<Record<CheckName, number>>;
}

/** Totals for the report: per check, and whether anything blocks. */
export function summarize(
  findings: readonly Finding[],
  ran: ReadonlySet<CheckName>,
  counts: SummaryCounts,
): PreflightSummary {
  const errors = findings.filter((f) => f.severity === "error").length;
  const checks = Object.fromEntries(
    CHECK_NAMES.map((name): [CheckName, CheckSummary] => {
      const mine = findings.filter((f) => f.check === name);
      return [
        name,
        {
          ran: ran.has(name),
          errors: mine.filter((f) => f.severity === "error").length,
          warnings: mine.filter((f) => f.severity === "warning").length,
          durationMs: counts.durations[name] ?? 0,
        },
      ];
    }),
  ) as Record<CheckName, CheckSummary>;
  return {
    ok: errors === 0,
    blocking: errors,
    errors,
    warnings: findings.length - errors,
    filesScanned: counts.scan.filesScanned,
    bytesScanned: counts.scan.bytesScanned,
    skipped: { binary: counts.scan.binary, tooLarge: counts.scan.tooLarge, ignored: counts.ignored },
    allowed: { inline: counts.scan.allowedInline, baseline: counts.baselined },
    ...(counts.commits === undefined ? {} : { commitsScanned: counts.commits }),
    checks,
  };
}
