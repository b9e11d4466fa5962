import { CommitParser } from "conventional-commits-parser";

/** A commit message read as a conventional commit (https://www.conventionalcommits.org). */
export interface ConventionalCommit {
  /** `feat`, `fix`, … lowercased; undefined when the header is not conventional. */
  type: string | undefined;
  scope: string | undefined;
  /** The header's description, or the whole header when it is not conventional. */
  subject: string;
  /** The first line as written, type and all. */
  header: string;
  /** `!` after the type/scope, or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer. */
  breaking: boolean;
  /** The footer's text for each breaking change (the subject when only `!` marked it). */
  breakingNotes: string[];
  /**
   * The commits this one says it reverts: each `This reverts commit <hash>` line, as `git revert` writes
   * it (`<hash>.`, or `<short hash> (<subject>, <date>).` with `--reference`). Lowercase, 7–40 hex digits.
   */
  reverts: string[];
}

// At the start of a line, whatever the header says: git 2.43+ heads the revert of a revert `Reapply "…"`,
// and `git revert --reference` leaves the header to the author.
const REVERTS_LINE = /^This reverts commit ([0-9a-f]{7,40})\b/gim;

const parser = new CommitParser({
  // The spec's `type(scope)!: description`; the default pattern does not know `!`.
  breakingHeaderPattern: /^(\w+)(?:\(([^()]*)\))?!: (.*)$/,
  headerPattern: /^(\w+)(?:\(([^()]*)\))?: (.*)$/,
  headerCorrespondence: ["type", "scope", "subject"],
  // The spec wants the token uppercase and followed by a colon; the library default would also take
  // a body line that merely starts with "breaking change".
  notesPattern: (keywords) => new RegExp(`^(${keywords}):\\s*(.*)`),
});

/** Pure. Never throws: a message that is not conventional is returned with `type: undefined`. */
export function parseCommitMessage(message: string): ConventionalCommit {
  const firstLine = message.trim().split("\n")[0]?.trim() ?? "";
  if (!firstLine)
    return {
      type: undefined,
      scope: undefined,
      subject: "",
      header: "",
      breaking: false,
      breakingNotes: [],
      reverts: [],
    };
  const parsed = parser.parse(message.trim());
  const notes = parsed.notes.filter((note) => /^BREAKING[ -]CHANGE$/.test(note.title));
  const type = parsed.type ? parsed.type.toLowerCase() : undefined;
  return {
    type,
    scope: parsed.scope || undefined,
    subject: (type ? parsed.subject : firstLine)?.trim() || firstLine,
    header: firstLine,
    breaking: notes.length > 0,
    breakingNotes: notes.map((note) => note.text.trim()).filter(Boolean),
    reverts: [...message.matchAll(REVERTS_LINE)].map((match) => match[1]!.toLowerCase()),
  };
}

/**
 * The commits `skiff deploy --tag` itself makes to record a changelog; they are bookkeeping, not changes,
 * so they neither bump the version nor appear in the changelog.
 */
export function isReleaseCommit(message: string): boolean {
  return /^chore\(release\): v?\d+\.\d+\.\d+\s*$/m.test(message.trim().split("\n")[0] ?? "");
}

export function releaseCommitMessage(version: string): string {
  return `chore(release): v${version}`;
}
