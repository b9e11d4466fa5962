/**
 * npm run bench:secrets-repos -- DIR [DIR...] [--list]
 *
 * Precision on code written by others that holds (almost) no real secret: each DIR is a checkout of
 * an open-source project (fetched beforehand; this script reads only the disk). Prints the findings
 * per 1,000 text files scanned, per project and overall, by rule; `--list` also prints each finding
 * (masked), to judge it. docs/benchmarks.md lists the projects and commits measured.
 */
import { statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { walkFiles } from "../../src/preflight/files.js";
import { scanFiles } from "../../src/preflight/scan-pool.js";

const SETTINGS = {
  debug: false,
  secrets: true,
  conflicts: false,
  todo: "warn" as const,
  allowConsole: [],
  patterns: [],
};

const argv = process.argv.slice(2);
const list = argv.includes("--list");
const dirs = argv.filter((a) => !a.startsWith("--")).map((d) => resolve(d));
if (dirs.length === 0) {
  process.stderr.write("usage: npm run bench:secrets-repos -- DIR [DIR...] [--list]\n");
  process.exit(2);
}
for (const dir of dirs) {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`bench:secrets-repos: ${dir} is not a directory (expected a project's checkout)\n`);
    process.exit(2);
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const perThousand = (findings: number, files: number) => ((findings / Math.max(files, 1)) * 1000).toFixed(1);
const byRule = new Map<string, number>();
let allFiles = 0;
let allFindings = 0;
for (const dir of dirs) {
  const totals = await scanFiles(dir, walkFiles(dir), SETTINGS);
  allFiles += totals.filesScanned;
  allFindings += totals.findings.length;
  for (const f of totals.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  out(
    `${basename(dir).padEnd(40)} ${String(totals.filesScanned).padStart(6)} files ${String(totals.findings.length).padStart(4)} findings  ${perThousand(totals.findings.length, totals.filesScanned).padStart(5)} per 1,000 files`,
  );
  if (list)
    for (const f of totals.findings)
      out(`    ${f.rule} ${f.file}:${f.line}  ${(f.snippet ?? "").trim().slice(0, 140)}`);
}
out(
  `overall: ${allFindings} findings in ${allFiles} text files: ${perThousand(allFindings, allFiles)} per 1,000 files`,
);
out(
  `by rule: ${[...byRule]
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ${n}`)
    .join(", ")}`,
);
