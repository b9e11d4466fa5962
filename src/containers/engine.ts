import Docker from "dockerode";

/**
 * The connection to the Docker Engine API: the socket named by `socketPath`, else DOCKER_HOST, else
 * /var/run/docker.sock (dockerode's own defaults). Every call goes through the API with structured
 * arguments; nothing in src/containers builds a shell command.
 */
export function connectEngine(socketPath?: string): Docker {
  return socketPath ? new Docker({ socketPath }) : new Docker();
}

export type EngineStatus = { ok: true; version: string; apiVersion: string } | { ok: false; reason: string };

/** Whether an engine answers, within `timeoutMs`; the reason when it does not. */
export async function engineStatus(docker: Docker, timeoutMs = 3_000): Promise<EngineStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<EngineStatus>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs}ms` }), timeoutMs);
  });
  const ask = docker.version().then(
    (v): EngineStatus => ({ ok: true, version: v.Version, apiVersion: v.ApiVersion }),
    (error: unknown): EngineStatus => ({ ok: false, reason: engineErrorMessage(error) }),
  );
  try {
    return await Promise.race([ask, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What dockerode's errors carry: the HTTP status and the engine's own message. */
interface EngineFailure {
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
  code?: string;
  message?: string;
}

export function engineStatusCode(error: unknown): number | undefined {
  return (error as EngineFailure | undefined)?.statusCode;
}

/**
 * One line for a human from an engine failure: the engine's message when it answered ("No such image:
 * …"), else what went wrong with the socket.
 */
export function engineErrorMessage(error: unknown): string {
  const failure = (error ?? {}) as EngineFailure;
  const engineMessage = failure.json?.message?.trim();
  if (engineMessage) return engineMessage;
  if (failure.code === "ENOENT" || failure.code === "ECONNREFUSED") {
    return `the Docker engine is not running (${failure.code}); start dockerd or set DOCKER_HOST`;
  }
  if (failure.code === "EACCES") return "no permission to use the Docker socket (EACCES)";
  if (failure.statusCode && failure.reason) return `${failure.reason} (HTTP ${failure.statusCode})`;
  return failure.message ?? String(error);
}

/** Runs `call`, treating the engine's "not found" (404) and "already done" (304) answers as success. */
export async function idempotent<T>(
  call: () => Promise<T>,
  ok: number[] = [304, 404],
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (ok.includes(engineStatusCode(error) ?? 0)) return undefined;
    throw error;
  }
}
