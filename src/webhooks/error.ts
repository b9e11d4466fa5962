/** A webhook request the agent refuses, with the HTTP status to answer (always 4xx). */
export class WebhookError extends Error {
  readonly status: 400 | 401 | 404 | 413 | 422;

  constructor(status: WebhookError["status"], message: string) {
    super(message);
    this.name = "WebhookError";
    this.status = status;
  }
}
