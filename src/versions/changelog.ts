import type { ConventionalCommit } from "./conventional.js";

export interface ChangelogCommit {
  sha: string;
  commit: ConventionalCommit;
}

export const CHANGELOG_FILE = "CHANGELOG.md";

const TITLE = "# Changelog";

// In "Reverts" and "Other" the header says what was reverted or what kind of change it was (docs,
// chore…), so it is shown whole. A revert lands in "Reverts" only when its commit was released before:
// one reverted in the same range is not listed at all (reverts.ts).
const GROUPS = [
  { title: "Breaking changes", takes: (c: ConventionalCommit) => c.breaking, wholeHeader: false },
  { title: "Features", takes: (c: ConventionalCommit) => c.type === "feat", wholeHeader: false },
  { title: "Fixes", takes: (c: ConventionalCommit) => c.type === "fix", wholeHeader: false },
  {
    title: "Reverts",
    takes: (c: ConventionalCommit) => c.type === "revert" || c.reverts.length > 0,
    wholeHeader: true,
  },
  { title: "Other", takes: () => true, wholeHeader: true },
] as const;

/** A first release can count a long history; past this many entries the section says how many more. */
export const MAX_SECTION_ENTRIES = 200;

/**
 * Pure. The changelog section for one version, newest commit first within each group; every commit
 * lands in the first group that takes it (a breaking feature is listed once, under breaking changes).
 * Entries read `- **scope:** subject (abc1234)`; under "Other" the header is shown as written.
 */
export function renderChangelogSection(version: string, date: Date, commits: ChangelogCommit[]): string {
  const lines = [`## v${version} (${date.toISOString().slice(0, 10)})`];
  const shown = commits.slice(0, MAX_SECTION_ENTRIES);
  let left = shown;
  for (const group of GROUPS) {
    const taken = left.filter((entry) => group.takes(entry.commit));
    if (taken.length === 0) continue;
    left = left.filter((entry) => !taken.includes(entry));
    lines.push("", `### ${group.title}`, "");
    for (const entry of taken) lines.push(...entryLines(entry, group.wholeHeader));
  }
  if (commits.length > shown.length)
    lines.push("", `… and ${commits.length - shown.length} earlier commits.`);
  if (commits.length === 0) lines.push("", "No changes.");
  return `${lines.join("\n")}\n`;
}

function entryLines({ sha, commit }: ChangelogCommit, wholeHeader: boolean): string[] {
  const scope = commit.scope ? `**${commit.scope}:** ` : "";
  const text = wholeHeader ? commit.header : `${scope}${commit.subject}`;
  const head = `- ${text} (${sha.slice(0, 7)})`;
  const notes = commit.breakingNotes
    .filter((note) => note !== commit.subject)
    .map((note) => `  ${note.replace(/\n/g, "\n  ")}`);
  return [head, ...notes];
}

const SECTION_HEADING = /^## \[?v?(\d+\.\d+\.\d+)\]?/;

/**
 * Pure. CHANGELOG.md with `section` as its newest entry. A section for the same version already at the
 * top is replaced rather than repeated, so re-running a release after a failed deploy stays tidy.
 */
export function prependChangelogSection(existing: string | undefined, section: string): string {
  const text = existing?.replace(/\r\n/g, "\n") ?? "";
  if (!text.trim()) return `${TITLE}\n\n${section}`;
  const lines = text.split("\n");
  const first = lines.findIndex((line) => line.startsWith("## "));
  if (first === -1) return `${text.trimEnd()}\n\n${section}`;
  let rest = first;
  if (headingVersion(lines[first]!) === headingVersion(section.split("\n")[0]!)) {
    const next = lines.findIndex((line, i) => i > first && line.startsWith("## "));
    rest = next === -1 ? lines.length : next;
  }
  const before = lines.slice(0, first).join("\n").trimEnd();
  const after = lines.slice(rest).join("\n").trim();
  return [before, section.trimEnd(), after].filter(Boolean).join("\n\n").concat("\n");
}

function headingVersion(line: string): string | undefined {
  return SECTION_HEADING.exec(line)?.[1];
}
