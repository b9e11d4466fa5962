import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { UsageError } from "../errors.js";

/**
 * A token Prometheus may use for GET /metrics only: from --metrics-token-file, else SKIFF_METRICS_TOKEN
 * in the agent's environment, else none (the API token alone reads metrics).
 */
export function loadMetricsToken(file: string | undefined, env = process.env): string | undefined {
  if (file) {
    const token = readToken(file);
    if (!token) throw new UsageError(`--metrics-token-file ${file}: the file is empty or missing`);
    return token;
  }
  return env.SKIFF_METRICS_TOKEN?.trim() || undefined;
}

/**
 * The API token: read from --token-file when given, else DIR/token, created (mode 0600) on first start.
 * Returns the token and whether it was just created, so the agent can say where it is.
 */
export function loadOrCreateToken(
  defaultFile: string,
  tokenFile?: string,
): { token: string; file: string; created: boolean } {
  if (tokenFile) {
    const token = readToken(tokenFile);
    if (!token) throw new UsageError(`--token-file ${tokenFile}: the file is empty or missing`);
    return { token, file: tokenFile, created: false };
  }
  const existing = readToken(defaultFile);
  if (existing) return { token: existing, file: defaultFile, created: false };
  const token = randomBytes(32).toString("base64url");
  writeFileSync(defaultFile, `${token}\n`, { mode: 0o600 });
  return { token, file: defaultFile, created: true };
}

function readToken(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
