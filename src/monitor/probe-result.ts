/** What one check of a monitor found. */
export interface ProbeResult {
  ok: boolean;
  /** Time from the start of the check to its verdict. */
  latencyMs: number;
  /** Why it failed, for people: "status 500 (expected 200)", "timed out after 5s". Never holds a secret. */
  error?: string;
  /** TLS monitors: when the certificate expires (ISO 8601). */
  certExpiresAt?: string;
}

export function failed(startedAt: number, error: string, extra: Partial<ProbeResult> = {}): ProbeResult {
  return { ok: false, latencyMs: performance.now() - startedAt, error, ...extra };
}

export function passed(startedAt: number, extra: Partial<ProbeResult> = {}): ProbeResult {
  return { ok: true, latencyMs: performance.now() - startedAt, ...extra };
}

/** "connect ECONNREFUSED 127.0.0.1:80" for socket errors; the message alone for the rest. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

export function timeoutText(ms: number): string {
  return ms % 1000 === 0 ? `timed out after ${ms / 1000}s` : `timed out after ${ms}ms`;
}
