import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ArtifactError } from "../deployer/artifact.js";
import { LockedError } from "../deployer/lease.js";
import { type ErrorBody, errorBody, toErrorBody } from "../error-body.js";
import { ConfigError, EXIT, SkiffError, UsageError } from "../errors.js";
import { UploadTooLargeError } from "./upload.js";

/**
 * The one way the API answers with an error: a status and the JSON body the CLI turns back into a
 * typed error with its exit code (docs/cli.md). Routes throw domain errors (UsageError, ConfigError,
 * LockedError…) or an HttpError; `httpError` maps the domain ones, keeping the original as `cause`
 * for the agent's log.
 */
export class HttpError extends HTTPException {
  readonly body: ErrorBody;

  constructor(status: ContentfulStatusCode, body: ErrorBody, options: { cause?: unknown } = {}) {
    super(status, { message: body.error.message, cause: options.cause });
    this.name = "HttpError";
    this.body = body;
  }

  static unauthorized(message: string): HttpError {
    return new HttpError(401, errorBody("Unauthorized", message, EXIT.agent));
  }

  /** `exitCode`: usage for a route that does not exist, failed for a thing the user named that does not. */
  static notFound(message: string, exitCode: number): HttpError {
    return new HttpError(404, errorBody("NotFound", message, exitCode));
  }
}

/** Any error as the API answers it. */
export function httpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof UploadTooLargeError) {
    return new HttpError(413, errorBody("PayloadTooLarge", error.message, EXIT.usage), { cause: error });
  }
  return new HttpError(statusFor(error), toErrorBody(error), { cause: error });
}

function statusFor(error: unknown): ContentfulStatusCode {
  if (error instanceof LockedError) return 409;
  if (error instanceof ConfigError || error instanceof ArtifactError || error instanceof UsageError)
    return 400;
  if (error instanceof SkiffError) return 422;
  return 500;
}
