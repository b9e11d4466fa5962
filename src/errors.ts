/**
 * Typed errors with a message for humans and the exit code the CLI maps them to.
 * Exit codes are part of the interface (docs/cli.md): 0 ok, 1 failed, 2 usage/config, 3 agent.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  agent: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class SkiffError extends Error {
  readonly exitCode: ExitCode;
  /** What the user can do next, printed under the message. */
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitCode, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flags or arguments. */
export class UsageError extends SkiffError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, hint);
  }
}

/** A config file that does not validate; each issue is prefixed with its key path. */
export class ConfigError extends SkiffError {
  readonly file: string;
  readonly issues: string[];

  constructor(file: string, issues: string[]) {
    super(`${file} is not valid:\n${issues.map((i) => `  - ${i}`).join("\n")}`, EXIT.usage);
    this.file = file;
    this.issues = issues;
  }
}

/** The operation ran and failed: a deploy that never got healthy, a missing rollback target. */
export class OperationError extends SkiffError {
  /** Extra lines to show (the tail of a build or app log). */
  readonly details: string[];

  constructor(message: string, options: { hint?: string; details?: string[] } = {}) {
    super(message, EXIT.failed, options.hint);
    this.details = options.details ?? [];
  }
}

/** The agent could not be reached, or refused our token. */
export class AgentError extends SkiffError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.agent, hint);
  }
}

/** Nothing answered at the agent's address (as opposed to an agent that answered and refused). */
export class AgentUnreachableError extends AgentError {}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Exit with a code that is not one of skiff's own: `skiff run` passes on the remote command's status
 * (0–255, 128 + n for a signal) and uses 125 for its own failures, as `docker run` does.
 */
export class PassThroughExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** The command already printed what went wrong (findings, a failed step); exit with this code quietly. */
export class SilentExit extends SkiffError {
  constructor(exitCode: ExitCode) {
    super("", exitCode);
  }
}
