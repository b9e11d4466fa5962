/**
 * The agent's answer to `GET /incidents` (for `skiff incidents`), shared by the API and the CLI.
 * Documented in docs/monitoring.md.
 */

export interface IncidentView {
  id: string;
  app: string;
  monitor: string;
  /** What the monitor checks: a URL, or "tcp host:port", "tls host:port". */
  target: string;
  /** The first failed check (ISO 8601). */
  startedAt: string;
  /** When the failure threshold was crossed and the alert went out. */
  openedAt: string;
  /** null while open. */
  resolvedAt: string | null;
  /** resolvedAt − startedAt in ms; null while open. */
  durationMs: number | null;
  /** The last error seen. */
  cause: string;
  /** The release that was live when it opened, if any. */
  release: string | null;
  /** When a person acknowledged it (the dashboard), ISO 8601; null until then. */
  acknowledgedAt: string | null;
  /** Who acknowledged it. */
  acknowledgedBy: string | null;
}

export interface IncidentsResponse {
  incidents: IncidentView[];
}
