import type { InstanceGroup } from "../runtime/instance-group.js";

/** Pure. How the steps describe what they did, in their one-line messages. */

/** `pid 41 :3001, pid 42 :3002` for web, `worker pid 43` for the others. */
export function describeGroup(group: InstanceGroup): string {
  return group.instances
    .map((i) => (i.port === undefined ? `${i.process} pid ${i.pid}` : `pid ${i.pid} :${i.port}`))
    .join(", ");
}

/** 300000 → `5m`, 1500 → `1.5s`. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}

export function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}
