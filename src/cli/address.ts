import { UsageError } from "../errors.js";

/** "0.0.0.0:8080", "[::1]:7070", ":8080" → host and port; the error names the flag. */
export function parseHostPort(flag: string, value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new UsageError(`${flag} ${value}: expected HOST:PORT, like 0.0.0.0:8080 or [::1]:8080`);
  }
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
}
