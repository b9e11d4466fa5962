import { statSync } from "node:fs";
import { join } from "node:path";
import { GitError, git } from "../git/git.js";
import { uncommittedPaths } from "../git/repo.js";
import { fingerprint } from "./fingerprint.js";
import type { Finding } from "./types.js";

/** Newly added files over this are flagged: they bloat every clone forever. */
export const LARGE_FILE_BYTES = 5 * 1024 * 1024;
/** How far back "not yet pushed" looks when a repository has no remote. */
const UNPUSHED_COMMITS = 500;

export interface GitCheckInput {
  root: string;
  /** Uncommitted changes block (deploy ships the committed tree) unless allowDirty. */
  forDeploy: boolean;
  allowDirty: boolean;
  /** --staged: the commit being made is the point; a dirty tree is expected. */
  staged: boolean;
}

function gitFinding(
  rule: string,
  severity: Finding["severity"],
  file: string,
  key: string,
  message: string,
  hint: string,
): Finding {
  return {
    check: "git",
    rule,
    severity,
    file,
    line: 1,
    column: 1,
    message,
    hint,
    fingerprint: fingerprint("git", rule, file, key),
  };
}

async function dirtyTree(input: GitCheckInput): Promise<Finding[]> {
  if (input.staged) return [];
  const paths = await uncommittedPaths(input.root);
  if (paths.length === 0) return [];
  const blocking = input.forDeploy && !input.allowDirty;
  const shown = paths.slice(0, 3).join(", ") + (paths.length > 3 ? ", …" : "");
  return [
    gitFinding(
      "uncommitted-changes",
      blocking ? "error" : "warning",
      paths[0]!,
      "dirty",
      `${paths.length} uncommitted change${paths.length === 1 ? "" : "s"} (${shown})`,
      blocking
        ? "commit or stash them: a deploy ships the committed tree (or pass --allow-dirty)"
        : "commit or stash them before you push or deploy",
    ),
  ];
}

async function lines(args: string[], root: string): Promise<string[]> {
  try {
    return (await git(args, { cwd: root })).split("\0").filter((p) => p.length > 0);
  } catch (error) {
    if (error instanceof GitError) return [];
    throw error;
  }
}

/** Untracked, staged as new, or added in commits no remote has yet. */
async function newlyAdded(root: string): Promise<Set<string>> {
  const [untracked, staged, unpushed] = await Promise.all([
    lines(["ls-files", "-z", "--others", "--exclude-standard"], root),
    lines(["diff", "--cached", "--name-only", "--relative", "-z", "--diff-filter=A"], root),
    lines(
      [
        "log",
        `--max-count=${UNPUSHED_COMMITS}`,
        "--diff-filter=A",
        "--name-only",
        "--relative",
        "-z",
        "--format=",
        "HEAD",
        "--not",
        "--remotes",
      ],
      root,
    ),
  ]);
  return new Set([...untracked, ...staged, ...unpushed.map((p) => p.replace(/^\n+/, ""))]);
}

async function largeFiles(root: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const path of await newlyAdded(root)) {
    let size: number;
    try {
      size = statSync(join(root, path)).size;
    } catch {
      continue;
    }
    if (size <= LARGE_FILE_BYTES) continue;
    const mb = (size / 1024 / 1024).toFixed(1);
    findings.push(
      gitFinding(
        "large-file",
        "warning",
        path,
        path,
        `${path} is ${mb} MB and newly added (over 5 MB)`,
        "keep it out of git (build artifact, data) or track it with Git LFS",
      ),
    );
  }
  return findings;
}

/** The git check's repository-level part; conflict markers come from the content scan. */
export async function checkGit(input: GitCheckInput): Promise<Finding[]> {
  const [dirty, large] = await Promise.all([dirtyTree(input), largeFiles(input.root)]);
  return [...dirty, ...large];
}
