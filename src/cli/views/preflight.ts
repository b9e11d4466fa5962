import { relative } from "node:path";
import { CHECK_NAMES, type Finding, type PreflightReport } from "../../preflight/types.js";
import { formatDuration, type Output, plural } from "../output.js";

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function printFinding(out: Output, finding: Finding): void {
  const level = finding.severity === "error" ? out.paint("red", "error") : out.paint("yellow", "warning");
  const where = `${finding.file}:${finding.line}:${finding.column}`;
  const commit = finding.commit ? out.paint("dim", ` (commit ${finding.commit.slice(0, 12)})`) : "";
  out.line(
    `  ${out.paint("bold", where)}  ${level}  ${finding.message}  ${out.paint("dim", finding.rule)}${commit}`,
  );
  if (finding.snippet) out.line(`      ${out.paint("dim", "│")} ${finding.snippet.trim()}`);
  for (const detail of finding.details ?? []) out.line(`      ${out.paint("dim", "│")} ${detail}`);
  if (finding.hint) out.line(`      ${out.paint("cyan", "fix:")} ${finding.hint}`);
}

/** The human report: one block per check, findings with their masked line and how to fix or allow. */
export function printReport(out: Output, report: PreflightReport): void {
  const { summary } = report;
  const skipped = [
    summary.skipped.binary && `${summary.skipped.binary} binary`,
    summary.skipped.tooLarge && `${summary.skipped.tooLarge} over 1 MB`,
    summary.skipped.ignored && `${summary.skipped.ignored} ignored`,
  ].filter(Boolean);
  const dir = relative(process.cwd(), report.root) || ".";
  const history =
    summary.commitsScanned === undefined ? "" : `, ${plural(summary.commitsScanned, "commit")} of history`;
  out.line(
    `preflight ${dir}: ${plural(summary.filesScanned, "file")} (${size(summary.bytesScanned)})${history} in ${formatDuration(report.durationMs)}` +
      (skipped.length ? out.paint("dim", ` — skipped ${skipped.join(", ")}`) : ""),
  );
  for (const check of CHECK_NAMES) {
    const state = summary.checks[check];
    if (!state.ran) continue;
    const counts = [
      state.errors && plural(state.errors, "error"),
      state.warnings && plural(state.warnings, "warning"),
    ];
    const detail =
      check === "commands" && report.commands.length > 0
        ? report.commands.map((c) => `${c.name} ${formatDuration(c.durationMs)}`).join(", ")
        : counts.filter(Boolean).join(", ");
    out.step(state.errors === 0, check, state.durationMs, detail);
    for (const finding of report.findings.filter((f) => f.check === check)) printFinding(out, finding);
  }
  const allowed = summary.allowed.inline + summary.allowed.baseline;
  const tail =
    allowed > 0
      ? out.paint(
          "dim",
          ` (${allowed} allowed: ${summary.allowed.inline} inline, ${summary.allowed.baseline} by baseline)`,
        )
      : "";
  const verdict = summary.ok
    ? out.paint("green", `nothing blocking, ${plural(summary.warnings, "warning")}`)
    : out.paint(
        "red",
        `${plural(summary.blocking, "blocking finding")}, ${plural(summary.warnings, "warning")}`,
      );
  out.line(`${verdict}${tail}`);
}
