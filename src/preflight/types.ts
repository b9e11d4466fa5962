/** The five checks, in the order they are reported. */
export const CHECK_NAMES = ["debug", "secrets", "env", "git", "commands"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export type Severity = "error" | "warning";

/** One problem, located in a file. A secret's value never appears here, only masked. */
export interface Finding {
  check: CheckName;
  rule: string;
  severity: Severity;
  /** Path relative to the scanned directory, with forward slashes. */
  file: string;
  line: number;
  column: number;
  message: string;
  /** Stable across line moves: derived from check, rule, file and the matched value (hashed). */
  fingerprint: string;
  /** The offending line, trimmed to a readable width, secrets masked. */
  snippet?: string;
  /** How to fix or allow it. */
  hint?: string;
  /** For --history findings: the commit that added the line. */
  commit?: string;
  /** Extra lines to show (a failed command's output tail). */
  details?: string[];
}

export interface CommandResult {
  name: string;
  command: string;
  ok: boolean;
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
  /** The last 30 lines of the command's combined stdout and stderr. */
  tail: string[];
}

export interface CheckSummary {
  ran: boolean;
  errors: number;
  warnings: number;
  durationMs: number;
}

export interface PreflightSummary {
  /** True when nothing blocks: no finding of severity error. */
  ok: boolean;
  blocking: number;
  errors: number;
  warnings: number;
  filesScanned: number;
  bytesScanned: number;
  skipped: { binary: number; tooLarge: number; ignored: number };
  allowed: { inline: number; baseline: number };
  commitsScanned?: number;
  checks: Record<CheckName, CheckSummary>;
}

export interface PreflightReport {
  /** The scanned directory (absolute). */
  root: string;
  findings: Finding[];
  summary: PreflightSummary;
  commands: CommandResult[];
  durationMs: number;
  /** True when a finding blocks a push or deploy. */
  blocking: boolean;
}
