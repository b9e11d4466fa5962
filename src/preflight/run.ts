import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_FILE, loadAppConfig } from "../config/load.js";
import { UsageError } from "../errors.js";
import { git } from "../git/git.js";
import { readBaseline } from "./baseline.js";
import { commandFinding, resolveCommands, runCommand } from "./commands.js";
import { defaultPreflightConfig, type PreflightConfig } from "./config.js";
import { ContentScanner, type ScanSettings } from "./content-scanner.js";
import { checkEnv } from "./env-check.js";
import { emptyTotals, type ScanTotals, scanBuffers } from "./file-reader.js";
import { gitTopLevel, stagedContents, stagedFiles, walkFiles, workingTreeFiles } from "./files.js";
import { checkGit } from "./git-check.js";
import { scanHistory } from "./history.js";
import { ignoredPaths } from "./ignore-file.js";
import { scanFiles } from "./scan-pool.js";
import { type SummaryCounts, summarize } from "./summary.js";
import {
  CHECK_NAMES,
  type CheckName,
  type CommandResult,
  type Finding,
  type PreflightReport,
} from "./types.js";

/** The parts of skiff.yml preflight reads; `skiff deploy` passes the config it already loaded. */
export interface PreflightAppConfig {
  preflight: PreflightConfig;
  envRequired: readonly string[];
  env: Readonly<Record<string, string>>;
  secrets?: readonly string[];
}

export interface PreflightOptions {
  /** Run only these checks (even ones skiff.yml turns off). Default: every check not `off`. */
  only?: readonly CheckName[];
  /** Scan what is staged for commit (the index) instead of the work tree. */
  staged?: boolean;
  /** Deploy mode: uncommitted changes block unless `allowDirty`. */
  forDeploy?: boolean;
  allowDirty?: boolean;
  /** Also scan every commit reachable from HEAD for secrets. */
  history?: boolean;
  /** A baseline file (from --write-baseline): findings listed in it are not reported. */
  baseline?: string;
  /** Read `.env.<environment>` too, e.g. production. */
  environment?: string;
  /** Default: read DIR/skiff.yml if there is one. */
  config?: PreflightAppConfig;
  /** Worker threads for the content scan; default one per core. */
  threads?: number;
  /** Called as each command finishes, for live progress. */
  onCommand?: (result: CommandResult) => void;
}

type Counts = SummaryCounts;

/**
 * Runs the selected checks on `dir` and reports. Nothing is changed: no commit, no file written.
 * Throws UsageError/ConfigError (exit 2) for a bad directory, skiff.yml or baseline.
 */
export async function runPreflight(dir: string, options: PreflightOptions = {}): Promise<PreflightReport> {
  const started = performance.now();
  const root = resolve(dir);
  if (!existsSync(root)) throw new UsageError(`${dir}: no such directory`);
  if (!statSync(root).isDirectory()) throw new UsageError(`${dir}: not a directory`);
  const config = options.config ?? loadConfig(root);
  const checks = selectChecks(options.only, config.preflight);
  const baseline = options.baseline ? readBaseline(options.baseline) : undefined;
  const top = await gitTopLevel(root);
  const counts: Counts = { scan: emptyTotals(), ignored: 0, baselined: 0, durations: {} };
  const timed = async <T>(names: CheckName[], work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await work();
    for (const name of names) counts.durations[name] = Math.round(performance.now() - t0);
    return value;
  };

  const commandsRun = checks.has("commands")
    ? timed(["commands"], () => runCommands(root, config.preflight, options))
    : undefined;
  const ignored = ignoredPaths(root, config.preflight.ignore);
  const contentChecks = (["debug", "secrets"] as const).filter((c) => checks.has(c));
  if (contentChecks.length > 0 || checks.has("git")) {
    const settings = scanSettings(checks, config.preflight);
    counts.scan = await timed([...contentChecks], () =>
      scanContent(root, top, options, settings, ignored, counts),
    );
  }
  const findings: Finding[] = [...counts.scan.findings];
  if (options.history && checks.has("secrets") && top) {
    const history = await timed(["secrets"], () =>
      scanHistory(root, new ContentScanner(scanSettings(new Set(["secrets"]), config.preflight)), ignored),
    );
    findings.push(...newInHistory(findings, history.findings));
    counts.scan.allowedInline += history.allowedInline;
    counts.commits = history.commits;
  }
  if (checks.has("env")) {
    const tracked = top
      ? (await git(["ls-files", "-z"], { cwd: root })).split("\0").filter(Boolean)
      : undefined;
    findings.push(
      ...(await timed(["env"], () =>
        checkEnv({
          root,
          envRequired: config.envRequired,
          configEnv: config.env,
          environment: options.environment,
          tracked,
          secrets: config.secrets ?? [],
          ...(process.env.CI ? { processEnv: process.env } : {}),
        }),
      )),
    );
  }
  if (checks.has("git") && top) {
    const forDeploy = options.forDeploy ?? false;
    const gitInput = {
      root,
      forDeploy,
      allowDirty: options.allowDirty ?? false,
      staged: options.staged ?? false,
    };
    findings.push(...(await timed(["git"], () => checkGit(gitInput))));
  }
  const commands = commandsRun ? await commandsRun : { results: [], findings: [] };
  findings.push(...commands.findings);

  const reported = applyModes(findings, config.preflight).filter((f) => {
    const listed = baseline?.has(f.fingerprint) ?? false;
    if (listed) counts.baselined++;
    return !listed;
  });
  reported.sort(compareFindings);
  const summary = summarize(reported, checks, counts);
  return {
    root,
    findings: reported,
    summary,
    commands: commands.results,
    durationMs: Math.round(performance.now() - started),
    blocking: !summary.ok,
  };
}

function loadConfig(root: string): PreflightAppConfig {
  if (!existsSync(join(root, CONFIG_FILE)))
    return { preflight: defaultPreflightConfig(), envRequired: [], env: {} };
  return loadAppConfig(root);
}

function selectChecks(only: readonly CheckName[] | undefined, config: PreflightConfig): Set<CheckName> {
  if (only && only.length > 0) return new Set(only);
  return new Set(CHECK_NAMES.filter((name) => config.checks[name] !== "off"));
}

function scanSettings(checks: Set<CheckName>, config: PreflightConfig): ScanSettings {
  return {
    debug: checks.has("debug"),
    secrets: checks.has("secrets"),
    conflicts: checks.has("git"),
    todo: config.todo,
    allowConsole: config.allowConsole,
    patterns: config.patterns,
  };
}

async function scanContent(
  root: string,
  top: string | undefined,
  options: PreflightOptions,
  settings: ScanSettings,
  ignored: (path: string) => boolean,
  counts: Counts,
): Promise<ScanTotals> {
  const keep = (paths: string[]) => {
    const kept = paths.filter((p) => !ignored(p));
    counts.ignored += paths.length - kept.length;
    return kept;
  };
  if (options.staged) {
    if (!top) throw new UsageError("--staged needs a git repository");
    const paths = keep(await stagedFiles(root));
    return scanBuffers(await stagedContents(root, paths), new ContentScanner(settings));
  }
  const paths = keep(top ? await workingTreeFiles(root) : walkFiles(root));
  return scanFiles(root, paths, settings, { threads: options.threads });
}

/** History findings for secrets no longer in the tree (those still there are reported where they are). */
function newInHistory(current: readonly Finding[], history: readonly Finding[]): Finding[] {
  const present = new Set(current.map((f) => f.fingerprint));
  const oldest = new Map<string, Finding>();
  // git log lists newest first: the last one seen is the commit that added the secret.
  for (const finding of history)
    if (!present.has(finding.fingerprint)) oldest.set(finding.fingerprint, finding);
  return [...oldest.values()];
}

async function runCommands(root: string, config: PreflightConfig, options: PreflightOptions) {
  const specs = resolveCommands(root, config.commands);
  const results = await Promise.all(
    specs.map(async (spec) => {
      const result = await runCommand(spec, root, config.commandTimeoutMs);
      options.onCommand?.(result);
      return result;
    }),
  );
  const findings = specs.flatMap((spec, i) => (results[i]!.ok ? [] : [commandFinding(spec, results[i]!)]));
  return { results, findings };
}

/** `warn` checks never block: their errors are reported as warnings. */
function applyModes(findings: Finding[], config: PreflightConfig): Finding[] {
  return findings.map((f) =>
    config.checks[f.check] === "warn" && f.severity === "error" ? { ...f, severity: "warning" } : f,
  );
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    CHECK_NAMES.indexOf(a.check) - CHECK_NAMES.indexOf(b.check) ||
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.rule.localeCompare(b.rule)
  );
}
