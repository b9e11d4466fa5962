import type { IncidentView } from "../../monitor/incidents-api.js";
import type { MonitorStatus } from "../../monitor/monitor-service.js";

const DAY = 86_400_000;
export const STATUS_PAGE_DAYS = 14;

/** What the public may see of an app: each monitor's name and state, incidents' names and times. */
export interface PublicStatus {
  app: string;
  days: number;
  overall: "operational" | "degraded" | "unknown";
  monitors: Array<{ name: string; state: "up" | "down" | "unknown" }>;
  incidents: Array<{
    monitor: string;
    startedAt: string;
    resolvedAt: string | null;
    durationMs: number | null;
  }>;
}

/**
 * Pure: the public view of an app's monitors and incidents. It copies field by field, so whatever is
 * added to the internal records later (targets, causes, releases, who acknowledged) stays internal.
 */
export function publicStatus(
  app: string,
  monitors: MonitorStatus[],
  incidents: IncidentView[],
  now: number,
): PublicStatus {
  const states = monitors.map((m) => ({
    name: m.monitor,
    state: m.state.incident ? ("down" as const) : m.up === null ? ("unknown" as const) : ("up" as const),
  }));
  const since = now - STATUS_PAGE_DAYS * DAY;
  return {
    app,
    days: STATUS_PAGE_DAYS,
    overall: states.some((m) => m.state === "down")
      ? "degraded"
      : states.length === 0 || states.every((m) => m.state === "unknown")
        ? "unknown"
        : "operational",
    monitors: states,
    incidents: incidents
      .filter((i) => Date.parse(i.startedAt) >= since || i.resolvedAt === null)
      .map((i) => ({
        monitor: i.monitor,
        startedAt: i.startedAt,
        resolvedAt: i.resolvedAt,
        durationMs: i.durationMs,
      })),
  };
}
