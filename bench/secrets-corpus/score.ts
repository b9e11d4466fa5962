import { SECRET_RULES } from "../../src/preflight/secrets/rules/index.js";
import type { OutsideFile } from "./outside-corpus.js";

export interface FamilyScore {
  family: string;
  files: number;
  /** Files with at least one finding. */
  found: number;
  /** Files with a finding by a provider rule (not a generic `…token = …` one). */
  byProvider: number;
  missed: string[];
}

const GENERIC = new Set(SECRET_RULES.filter((r) => r.generic).map((r) => r.id));

/** Recall per provider family: a file counts as found when any finding is reported in it. */
export function recallByFamily(
  corpus: readonly OutsideFile[],
  findings: ReadonlyArray<{ file: string; rule: string }>,
): FamilyScore[] {
  const rulesIn = new Map<string, string[]>();
  for (const f of findings) rulesIn.set(f.file, [...(rulesIn.get(f.file) ?? []), f.rule]);
  const families = new Map<string, FamilyScore>();
  for (const file of corpus) {
    let score = families.get(file.family);
    if (!score) {
      score = { family: file.family, files: 0, found: 0, byProvider: 0, missed: [] };
      families.set(file.family, score);
    }
    score.files++;
    const rules = rulesIn.get(file.path) ?? [];
    if (rules.length > 0) score.found++;
    else score.missed.push(file.path);
    if (rules.some((r) => !GENERIC.has(r))) score.byProvider++;
  }
  return [...families.values()].sort((a, b) => a.found / a.files - b.found / b.files);
}

export function totals(scores: readonly FamilyScore[]) {
  const files = scores.reduce((s, f) => s + f.files, 0);
  const found = scores.reduce((s, f) => s + f.found, 0);
  const byProvider = scores.reduce((s, f) => s + f.byProvider, 0);
  return { files, found, byProvider };
}

/**
 * False alarms on gitleaks' false positives: on all of them, and on those that are no other rule's
 * true positive either (the non-secrets proper).
 */
export function falseAlarmReport(
  clean: readonly OutsideFile[],
  findings: ReadonlyArray<{ file: string }>,
): string[] {
  const flagged = new Set(findings.map((f) => f.file));
  const proper = clean.filter((f) => !f.secretElsewhere);
  const flaggedProper = proper.filter((f) => flagged.has(f.path)).length;
  return [
    `  false alarms on known non-secrets: ${pct(flaggedProper, proper.length)} (${flaggedProper}/${proper.length}; target at most 2%)`,
    `  findings on all of gitleaks' false positives: ${pct(flagged.size, clean.length)} (${flagged.size}/${clean.length}; ${clean.length - proper.length} of them are another rule's true positive)`,
  ];
}

export const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(1)}%`;

/** The report lines: overall, then every family under the target, then the others compactly. */
export function recallReport(scores: readonly FamilyScore[], target = 0.95): string[] {
  const t = totals(scores);
  const lines = [
    `outside corpus: ${t.files} files with a secret, ${scores.length} provider families`,
    `  recall: ${pct(t.found, t.files)} (${t.found}/${t.files}); by a provider rule: ${pct(t.byProvider, t.files)}`,
  ];
  const below = scores.filter((s) => s.found / s.files < target);
  lines.push(
    `  families under ${target * 100}%: ${below.length === 0 ? "none" : below.map((s) => `${s.family} ${pct(s.found, s.files)} (${s.found}/${s.files})`).join(", ")}`,
  );
  lines.push(
    `  per family: ${scores.map((s) => `${s.family} ${((s.found / s.files) * 100).toFixed(0)}%`).join(", ")}`,
  );
  return lines;
}
