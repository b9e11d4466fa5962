import type Docker from "dockerode";
import type { LogFile } from "../runtime/log-file.js";
import {
  createContainer,
  removeContainer,
  startWithOutput,
  stopContainer,
  waitForExit,
} from "./container.js";
import type { ContainerSpec } from "./container-spec.js";

export type OneOffResult = { code: number; timedOut: false } | { code: number | null; timedOut: true };

/**
 * Runs a command once in a new container of a release's image and removes it: the `release:` command
 * (migrations) and later `skiff run`. Output goes to `log`; past `timeoutMs` it is stopped (SIGTERM, then
 * SIGKILL after `stopTimeoutMs`) and reported as timed out.
 */
export async function runOneOff(
  docker: Docker,
  spec: Omit<ContainerSpec, "restart" | "publish">,
  options: { log: LogFile; timeoutMs: number; stopTimeoutMs: number },
): Promise<OneOffResult> {
  const container = await createContainer(docker, { ...spec, restart: "no" });
  try {
    await startWithOutput(container, options.log);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
    });
    const first = await Promise.race([waitForExit(container), timeout]);
    clearTimeout(timer);
    if (first !== "timeout") return { code: first, timedOut: false };
    await stopContainer(container, options.stopTimeoutMs);
    return { code: null, timedOut: true };
  } finally {
    await removeContainer(container);
  }
}
