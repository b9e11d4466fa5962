import { GitError, gitEachLine } from "../git/git.js";
import type { ContentScanner } from "./content-scanner.js";
import { MAX_FILE_BYTES } from "./file-reader.js";
import type { Finding } from "./types.js";

export interface HistoryResult {
  findings: Finding[];
  commits: number;
  allowedInline: number;
}

/** The lines one commit added to one file, with their line numbers in that commit. */
interface Added {
  commit: string;
  path: string;
  lines: string[];
  numbers: number[];
  bytes: number;
}

/**
 * Scans every line ever added in a commit reachable from HEAD, so a secret committed and deleted
 * later is still found, with the commit that added it. Streams `git log -p` rather than checking
 * out each commit: each added line is read once.
 */
export async function scanHistory(
  root: string,
  scanner: ContentScanner,
  ignored: (path: string) => boolean,
): Promise<HistoryResult> {
  const result: HistoryResult = { findings: [], commits: 0, allowedInline: 0 };
  let commit = "";
  let current: Added | undefined;
  let nextLine = 0;
  /** Between `diff --git` and the first hunk: where `+++ b/path` names the file. */
  let inHeader = false;
  const flush = () => {
    if (current && current.lines.length > 0 && current.bytes <= MAX_FILE_BYTES && !ignored(current.path)) {
      const scanned = scanner.scan(current.path, Buffer.from(current.lines.join("\n"), "utf8"));
      const { numbers, commit: sha } = current;
      for (const f of scanned.findings)
        result.findings.push({ ...f, line: numbers[f.line - 1] ?? f.line, commit: sha });
      result.allowedInline += scanned.allowedInline;
    }
    current = undefined;
  };
  const onLine = (line: string) => {
    if (line.startsWith("\0commit ")) {
      flush();
      commit = line.slice(8);
      result.commits++;
    } else if (line.startsWith("diff --git ")) {
      flush();
      inHeader = true;
    } else if (inHeader && line.startsWith("+++ ")) {
      const path = line.slice(4);
      if (path !== "/dev/null")
        current = { commit, path: path.replace(/^b\//, ""), lines: [], numbers: [], bytes: 0 };
    } else if (line.startsWith("@@ ")) {
      inHeader = false;
      nextLine = Number(/\+(\d+)/.exec(line)?.[1] ?? 1);
    } else if (line.startsWith("+") && current) {
      current.lines.push(line.slice(1));
      current.numbers.push(nextLine++);
      current.bytes += line.length;
    }
  };
  try {
    await gitEachLine(
      [
        "-c",
        "core.quotepath=false",
        "log",
        "HEAD",
        "-p",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--relative",
        "--format=%x00commit %H",
        "--",
        ".",
      ],
      { cwd: root },
      onLine,
    );
  } catch (error) {
    // A repository without commits has no history to scan.
    const noCommits =
      error instanceof GitError &&
      /does not have any commits|unknown revision|bad revision/.test(error.stderr);
    if (!noCommits) throw error;
  }
  flush();
  return result;
}
