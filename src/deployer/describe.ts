import type { InstanceGroup } from "../runtime/instance-group.js";

/** Pure. How the steps describe what they did, in their one-line messages. */

export function describeGroup(group: InstanceGroup): string {
  return group.instances.map((i) => `pid ${i.pid} :${i.port}`).join(", ");
}

export function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
