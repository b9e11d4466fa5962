import { DEBUG_RULES } from "./debug-rules.js";
import { SECRET_RULES } from "./secrets/rules/index.js";
import type { Finding, PreflightReport } from "./types.js";

/** Titles of the rules that are not in the rule tables (env, git, commands). */
const OTHER_RULES: Record<string, string> = {
  "env-missing": "Required environment variable not set",
  "env-file-committed": "Env file with values committed to git",
  "env-not-ignored": ".env not in .gitignore",
  "uncommitted-changes": "Uncommitted changes",
  "conflict-marker": "Merge conflict marker",
  "large-file": "Large file newly added",
  "command-failed": "Preflight command failed",
};

const TITLES = new Map<string, string>([
  ...SECRET_RULES.map((r) => [r.id, r.title] as const),
  ...DEBUG_RULES.map((r) => [r.id, r.title] as const),
  ...Object.entries(OTHER_RULES),
]);

interface SarifOptions {
  /** The scanned directory relative to the repository root ("" at the root), so URIs resolve from it. */
  prefix: string;
  version: string;
}

function ruleDescriptor(finding: Finding) {
  const title = TITLES.get(finding.rule) ?? `Custom pattern ${finding.rule}`;
  return {
    id: finding.rule,
    name: finding.rule.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: title },
    fullDescription: { text: `${title} (skiff preflight, ${finding.check} check)` },
    help: { text: finding.hint ?? title },
    defaultConfiguration: { level: finding.severity },
    properties: { tags: [finding.check, ...(finding.check === "secrets" ? ["security"] : [])] },
  };
}

function result(finding: Finding, ruleIndex: number, prefix: string) {
  const message = finding.commit
    ? `${finding.message} (added in commit ${finding.commit.slice(0, 12)})`
    : finding.message;
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: finding.severity,
    message: { text: message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(prefix + finding.file), uriBaseId: "%SRCROOT%" },
          region: {
            startLine: finding.line,
            startColumn: finding.column,
            ...(finding.snippet ? { snippet: { text: finding.snippet } } : {}),
          },
        },
      },
    ],
    partialFingerprints: { "skiffPreflight/v1": finding.fingerprint },
    ...(finding.commit ? { properties: { commit: finding.commit } } : {}),
  };
}

/** SARIF 2.1.0 for GitHub code scanning; snippets carry secrets masked, as everywhere else. */
export function toSarif(report: PreflightReport, options: SarifOptions) {
  const prefix = options.prefix ? `${options.prefix.replace(/\/$/, "")}/` : "";
  const rules: ReturnType<typeof ruleDescriptor>[] = [];
  const index = new Map<string, number>();
  for (const finding of report.findings) {
    if (!index.has(finding.rule)) {
      index.set(finding.rule, rules.length);
      rules.push(ruleDescriptor(finding));
    }
  }
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "skiff-preflight",
            semanticVersion: options.version,
            rules,
          },
        },
        automationDetails: { id: "skiff-preflight/" },
        results: report.findings.map((f) => result(f, index.get(f.rule)!, prefix)),
      },
    ],
  };
}
