import type Docker from "dockerode";

/**
 * Runs `command` through the container's /bin/sh (a worker's `healthcheck.command`, where the worker
 * runs) and resolves with its exit code; past `timeoutMs` or on `signal` it resolves as timed out (the
 * engine cannot kill an exec; it ends with its container).
 */
export async function execInContainer(
  container: Docker.Container,
  command: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ code: number | null; timedOut: boolean }> {
  const exec = await container.exec({
    Cmd: ["/bin/sh", "-c", command],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const ended = new Promise<"ended">((resolve) => {
    stream.once("end", () => resolve("ended"));
    stream.once("close", () => resolve("ended"));
    stream.once("error", () => resolve("ended"));
    stream.resume();
  });
  const gaveUp = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
    onAbort = () => resolve("timeout");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    if ((await Promise.race([ended, gaveUp])) === "timeout") {
      stream.destroy();
      return { code: null, timedOut: true };
    }
    const info = await exec.inspect();
    return { code: info.ExitCode ?? null, timedOut: false };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
