import createPreset from "conventional-changelog-conventionalcommits";
import { type CommitKnownProps, writeChangelogString } from "conventional-changelog-writer";
import { filterRevertedCommitsSync } from "conventional-commits-filter";
import { CommitParser } from "conventional-commits-parser";

/** What conventional-changelog itself makes of a range of commits. */
export interface ReferenceRelease {
  bump: "major" | "minor" | "patch" | "none";
  /** Short hashes of the commits its changelog lists. */
  listed: string[];
  changelog: string;
}

const LEVELS = ["major", "minor", "patch"] as const;

/**
 * The answer of conventional-changelog's own packages (the `conventionalcommits` preset's parser and
 * recommended bump, conventional-commits-filter for reverts, conventional-changelog-writer for the text)
 * for `commits`, newest first as git lists them. Skiff's versions are tested against it.
 */
export async function conventionalChangelogRelease(
  commits: Array<{ sha: string; message: string }>,
): Promise<ReferenceRelease> {
  const preset = await createPreset();
  const parser = new CommitParser(preset.parser);
  const parsed: CommitKnownProps[] = commits.map(({ sha, message }) => ({
    ...parser.parse(message),
    hash: sha,
  }));
  const kept = [...filterRevertedCommitsSync(parsed)];
  const level = kept.length > 0 ? preset.whatBump(kept)?.level : undefined;
  const changelog = await writeChangelogString(
    parsed,
    { version: "9.9.9", date: "2026-05-06" },
    preset.writer,
  );
  const listed = commits.map((c) => c.sha.slice(0, 7)).filter((short) => changelog.includes(short));
  return { bump: level === undefined ? "none" : LEVELS[level], listed, changelog };
}
