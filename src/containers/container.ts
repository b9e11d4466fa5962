import { Writable } from "node:stream";
import type Docker from "dockerode";
import type { LogFile } from "../runtime/log-file.js";
import { type ContainerSpec, createOptions } from "./container-spec.js";
import { engineStatusCode, idempotent } from "./engine.js";

/**
 * The lifecycle of one container through the Engine API: create, start with its output going to a log,
 * wait for its exit, stop (SIGTERM, then SIGKILL after a timeout measured here in milliseconds, not the
 * engine's whole seconds), remove.
 */

export async function createContainer(docker: Docker, spec: ContainerSpec): Promise<Docker.Container> {
  return docker.createContainer(createOptions(spec));
}

/**
 * Attaches to the container's stdout and stderr, then starts it: attaching first (as `docker run` does)
 * means not a line of its output is missed. Output goes to `log` until the container exits.
 */
export async function startWithOutput(container: Docker.Container, log: LogFile): Promise<void> {
  const stream = await container.attach({ stream: true, stdout: true, stderr: true, logs: false });
  pipeOutput(container, stream, log);
  try {
    await container.start();
  } catch (error) {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    throw error;
  }
}

/**
 * Follows the output of a container that is already running (one adopted after an agent restart, or an
 * accessory's), from now on, into `log`. Resolves when the stream is open.
 */
export async function followOutput(container: Docker.Container, log: LogFile): Promise<() => void> {
  const stream = (await container.logs({
    follow: true,
    stdout: true,
    stderr: true,
    tail: 0,
  })) as NodeJS.ReadableStream & {
    destroy?: () => void;
  };
  pipeOutput(container, stream, log);
  return () => stream.destroy?.();
}

function pipeOutput(container: Docker.Container, stream: NodeJS.ReadableStream, log: LogFile): void {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log.write(chunk);
      done();
    },
  });
  // Without a TTY the engine multiplexes stdout and stderr with 8-byte frame headers.
  container.modem.demuxStream(stream, sink, sink);
  stream.on("error", () => {});
}

/** Resolves with the exit code once the container is not running (at once if it already exited). */
export async function waitForExit(container: Docker.Container): Promise<number> {
  const result = (await container.wait({ condition: "not-running" })) as { StatusCode: number };
  return result.StatusCode;
}

export type StopOutcome = "exited" | "killed" | "not running";

/** SIGTERM, then SIGKILL once `timeoutMs` has passed; resolves when the container has exited. */
export async function stopContainer(container: Docker.Container, timeoutMs: number): Promise<StopOutcome> {
  try {
    await container.kill({ signal: "SIGTERM" });
  } catch (error) {
    // 409: not running; 404: already removed.
    if (engineStatusCode(error) === 409 || engineStatusCode(error) === 404) return "not running";
    throw error;
  }
  const exited = waitForExit(container).then(() => "exited" as const);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const first = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (first === "exited") return "exited";
  await idempotent(() => container.kill({ signal: "SIGKILL" }), [404, 409]);
  await exited;
  return "killed";
}

/** Removes the container and its anonymous volumes; a container already gone is not an error. */
export async function removeContainer(container: Docker.Container): Promise<void> {
  await idempotent(() => container.remove({ force: true, v: true }), [404, 409]);
}

/** Whether the engine killed it for going over its memory limit, for the log line that says why it died. */
export async function exitDetails(
  container: Docker.Container,
): Promise<{ oomKilled: boolean; pid: number | undefined; error: string | undefined }> {
  const info = await idempotent(() => container.inspect());
  return {
    oomKilled: info?.State.OOMKilled ?? false,
    pid: info?.State.Pid || undefined,
    error: info?.State.Error || undefined,
  };
}
