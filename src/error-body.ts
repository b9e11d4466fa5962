import { ConfigError, EXIT, OperationError, SkiffError } from "./errors.js";

/** How the agent's API and the CLI's `--json` describe an error (docs/cli.md). */
export interface ErrorBody {
  error: {
    type: string;
    message: string;
    exitCode: number;
    hint?: string;
    details?: string[];
    issues?: string[];
  };
}

/**
 * The JSON form of an error, the same from the agent's API and the CLI's `--json` (docs/cli.md):
 * the log lines of a failed deploy and the problems of an invalid config travel with it.
 */
export function errorBody(type: string, message: string, exitCode: number, hint?: string): ErrorBody {
  return { error: { type, message, exitCode, ...(hint ? { hint } : {}) } };
}

export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof SkiffError) {
    const body = errorBody(error.name, error.message, error.exitCode, error.hint);
    if (error instanceof OperationError && error.details.length > 0) body.error.details = error.details;
    if (error instanceof ConfigError) body.error.issues = error.issues;
    return body;
  }
  return errorBody("InternalError", error instanceof Error ? error.message : String(error), EXIT.failed);
}
