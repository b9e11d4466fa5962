/** Messages between bench/monitor.ts (the parent) and bench/monitor-agent.ts (the measured child). */

export interface AgentConfig {
  /** One URL per monitor. */
  urls: string[];
  intervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
  successThreshold: number;
  concurrency: number;
  /** Where the child sends its alerts (a webhook on 127.0.0.1). */
  alertUrl: string;
}

export type ChildMessage =
  | { type: "ready" }
  /** An incident opened or resolved; `at` is wall-clock ms (timeOrigin + now) when the check crossed the threshold. */
  | { type: "event"; monitor: string; event: "opened" | "resolved"; at: number }
  | {
      type: "stats";
      lateMs: number[];
      /** The child's event-loop delay p99 (ms): lateness the scheduler cannot help, e.g. a starved CPU. */
      loopDelayP99Ms: number;
      checks: number;
      skipped: number;
      alertsSent: number;
      alertsFailed: number;
    };

export type ParentMessage = { type: "finish" };

/** Wall-clock time with sub-millisecond resolution, comparable across processes. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
