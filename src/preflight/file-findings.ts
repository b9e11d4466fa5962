import type { PatternMatch } from "./custom-patterns.js";
import type { DebugMatch } from "./debug-detect.js";
import { fingerprint } from "./fingerprint.js";
import type { SecretMatch } from "./secrets/detect.js";
import { maskSecret } from "./secrets/mask.js";
import type { SecretFileRule } from "./secrets/secret-files.js";
import type { SourceFile } from "./source-file.js";
import type { CheckName, Finding, Severity } from "./types.js";

/** Findings built from what the content pass matched in one file: located, masked, fingerprinted. */

export const ALLOW_MARK = "skiff:allow";

const SECRET_HINT =
  "remove it and rotate it at the provider, then load it from the environment; if it is a fake, add `skiff:allow` to the line, list the file in .skiffignore, or record it with --write-baseline";

export function secretFinding(file: SourceFile, match: SecretMatch): Finding {
  const first = file.position(match.matchStart);
  // A secret on a later line than its match (a PEM body) is reported where the match starts.
  const at = first.end < match.start ? first : file.position(match.start);
  return finding(file, at, {
    check: "secrets",
    rule: match.rule.id,
    severity: "error",
    message: `${match.rule.title} (${maskSecret(match.secret)})`,
    fingerprint: fingerprint("secrets", match.rule.id, file.path, match.secret),
    hint: SECRET_HINT,
  });
}

/** A file that is a secret by its name (a .p12 bundle): reported once, at its first line. */
export function secretFileFinding(path: string, rule: SecretFileRule): Finding {
  return {
    check: "secrets",
    rule: rule.id,
    severity: "error",
    file: path,
    line: 1,
    column: 1,
    message: rule.title,
    fingerprint: fingerprint("secrets", rule.id, path, path),
    hint: SECRET_FILE_HINT,
  };
}

const SECRET_FILE_HINT =
  "remove it from the repository and reissue the certificate; keep it in a secret store or outside the project; if it is a test fixture, list it in .skiffignore";

export function patternFinding(file: SourceFile, match: PatternMatch): Finding {
  const { pattern } = match;
  const isSecret = pattern.check === "secrets";
  const shown = isSecret ? ` (${maskSecret(match.secret)})` : "";
  const at = file.position(isSecret ? match.secretStart : match.start);
  return finding(file, at, {
    check: pattern.check,
    rule: pattern.id,
    severity: pattern.severity,
    message: `${pattern.message ?? `matches the ${pattern.id} pattern from skiff.yml`}${shown}`,
    fingerprint: fingerprint(
      pattern.check,
      pattern.id,
      file.path,
      isSecret ? match.secret : lineKey(file, at),
    ),
    hint: "configured in skiff.yml under preflight.patterns",
  });
}

export function debugFinding(file: SourceFile, match: DebugMatch, severity: Severity): Finding {
  const at = file.position(match.start);
  return finding(file, at, {
    check: "debug",
    rule: match.rule.id,
    severity,
    message: `${match.rule.title} left in the code`,
    fingerprint: fingerprint("debug", match.rule.id, file.path, lineKey(file, at)),
    hint: `${match.rule.hint}; or add \`${ALLOW_MARK}\` in a comment on the line`,
  });
}

type At = { line: number; column: number; start: number; end: number };

function finding(
  file: SourceFile,
  at: At,
  fields: {
    check: CheckName;
    rule: string;
    severity: Severity;
    message: string;
    fingerprint: string;
    hint: string;
  },
): Finding {
  return {
    ...fields,
    file: file.path,
    line: at.line,
    column: at.column,
    snippet: file.snippet(at.start, at.end, at.column),
  };
}

export function conflictFinding(file: SourceFile, start: number): Finding {
  const at = file.position(start);
  const marker = file.slice(start, start + 7);
  return finding(file, at, {
    check: "git",
    rule: "conflict-marker",
    severity: "error",
    message: `merge conflict marker ${marker} left in the file`,
    fingerprint: fingerprint("git", "conflict-marker", file.path, lineKey(file, at)),
    hint: "finish the merge: keep the right side, delete the markers, commit",
  });
}

/** What identifies a non-secret finding when lines move: the line's text, trimmed. */
function lineKey(file: SourceFile, at: At): string {
  return file.lineText(at.start, at.end).trim();
}

/** `skiff:allow` on the finding's line, or `skiff:allow-next-line` on the line above. */
export function allowedInline(file: SourceFile, f: Finding): boolean {
  const at = file.position(file.lineStart(f.line));
  return (
    file.lineText(at.start, at.end).includes(ALLOW_MARK) ||
    file.previousLineText(at.start).includes(`${ALLOW_MARK}-next-line`)
  );
}
