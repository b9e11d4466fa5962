import type { DeliveryResult } from "./dispatcher.js";

/**
 * The agent's answer to `POST /apps/:app/alerts/test` (for `skiff alerts test`).
 * Documented in docs/monitoring.md.
 */
export interface AlertsTestResponse {
  app: string;
  /** One per channel that could be built, in skiff.yml order. */
  results: DeliveryResult[];
  /** Channels that could not be built, e.g. `alerts.slack.webhook_url_env: SLACK_WEBHOOK_URL is not set in the agent's secret store or environment (skiff secrets set SLACK_WEBHOOK_URL)`. */
  problems: string[];
}
