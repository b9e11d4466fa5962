import type { DoraReport } from "./dora.js";

/**
 * The agent's answer to `GET /metrics/delivery?app=A&since=30d` (for `skiff metrics`).
 * Documented in docs/monitoring.md.
 */
export interface DeliveryMetricsResponse {
  /** null: all apps together. */
  app: string | null;
  report: DoraReport;
}
