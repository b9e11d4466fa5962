/**
 * What the rest of skiff uses from preflight (printing is the CLI's: src/cli/views/preflight.ts).
 * `skiff deploy` calls:
 *
 *   const report = await runPreflight(dir, { forDeploy: true, allowDirty, config: appConfig });
 *   printReport(out, report);            // or out.result(report) with --json
 *   if (report.blocking) throw new SilentExit(EXIT.failed);
 */
export { type PreflightConfig, preflightSchema } from "./config.js";
export { type PreflightAppConfig, type PreflightOptions, runPreflight } from "./run.js";
export { toSarif } from "./sarif.js";
export {
  CHECK_NAMES,
  type CheckName,
  type Finding,
  type PreflightReport,
  type PreflightSummary,
} from "./types.js";
