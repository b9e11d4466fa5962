import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import type { Command } from "commander";
import { EXIT, SilentExit, UsageError } from "../errors.js";
import { writeBaseline } from "../preflight/baseline.js";
import { gitTopLevel } from "../preflight/files.js";
import { runPreflight } from "../preflight/run.js";
import { toSarif } from "../preflight/sarif.js";
import { CHECK_NAMES, type CheckName, type PreflightReport } from "../preflight/types.js";
import { withJson } from "./options.js";
import { Output } from "./output.js";
import { printReport } from "./views/preflight.js";

interface PreflightFlags {
  json?: boolean;
  sarif?: string;
  staged?: boolean;
  only?: string;
  baseline?: string;
  writeBaseline?: string;
  history?: boolean;
  environment?: string;
}

export function parseChecks(list: string): CheckName[] {
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(CHECK_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--only: ${unknown.length ? `unknown check ${unknown.map((u) => JSON.stringify(u)).join(", ")}` : "no check named"}`,
      `expected a comma-separated list of: ${CHECK_NAMES.join(", ")}`,
    );
  }
  return names as CheckName[];
}

async function writeSarif(file: string, report: PreflightReport): Promise<void> {
  const top = (await gitTopLevel(report.root)) ?? report.root;
  const sarif = toSarif(report, {
    prefix: relative(top, report.root),
    version: process.env.npm_package_version ?? "0.1.0",
  });
  try {
    writeFileSync(file, `${JSON.stringify(sarif, null, 2)}\n`);
  } catch (error) {
    throw new UsageError(`--sarif ${file}: cannot write (${(error as Error).message})`);
  }
}

async function action(dir: string, flags: PreflightFlags): Promise<void> {
  const out = new Output({ json: flags.json });
  const only = flags.only === undefined ? undefined : parseChecks(flags.only);
  const report = await runPreflight(dir, {
    only,
    staged: flags.staged,
    history: flags.history,
    // When writing a baseline, everything found goes in it, whatever an older baseline says.
    baseline: flags.writeBaseline ? undefined : flags.baseline,
    environment: flags.environment,
  });
  if (flags.writeBaseline) {
    const content = report.findings.filter((f) => f.check === "debug" || f.check === "secrets");
    const count = writeBaseline(flags.writeBaseline, content);
    out.result({ baseline: flags.writeBaseline, fingerprints: count });
    out.line(
      `wrote ${count} fingerprint${count === 1 ? "" : "s"} to ${flags.writeBaseline}; use it with --baseline ${flags.writeBaseline}`,
    );
    return;
  }
  if (flags.sarif) await writeSarif(flags.sarif, report);
  out.result({
    findings: report.findings,
    summary: report.summary,
    commands: report.commands,
    durationMs: report.durationMs,
  });
  if (!out.json) printReport(out, report);
  if (report.blocking) throw new SilentExit(EXIT.failed);
}

export function register(program: Command): void {
  withJson(program.command("preflight").argument("[dir]", "the project directory", "."))
    .description(
      "catch debug leftovers, leaked secrets, missing env vars, git problems and failing checks before shipping",
    )
    .option("--sarif <file>", "also write the findings as SARIF 2.1.0 (for GitHub code scanning)")
    .option("--staged", "scan what is staged for commit instead of the work tree")
    .option("--only <checks>", `run only these checks, comma-separated: ${CHECK_NAMES.join(", ")}`)
    .option("--baseline <file>", "do not report findings whose fingerprints are in this file")
    .option(
      "--write-baseline <file>",
      "write the fingerprints of the current debug and secrets findings to a file, then exit 0",
    )
    .option("--history", "also scan every commit reachable from HEAD for secrets")
    .option("--environment <name>", "also read .env.<name> for the env check (e.g. production)")
    .addHelpText("after", "\nExit codes: 0 nothing blocking, 1 blocking findings, 2 usage or config error.")
    .action(action);
}
