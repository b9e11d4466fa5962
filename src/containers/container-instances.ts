import { posix } from "node:path";
import type Docker from "dockerode";
import { errorMessage } from "../errors.js";
import type { InstanceFactory } from "../runtime/instance-factory.js";
import { ContainerInstance } from "./container-instance.js";
import type { ResourceLimits, StorageMount } from "./container-spec.js";
import { execInContainer } from "./exec.js";

export interface ContainerInstancesOptions {
  docker: Docker;
  agent: string;
  app: string;
  artifact: string;
  /** The release's pinned image id. */
  image: string;
  /** The app's port inside the container (port:, EXPOSE, 3000). */
  containerPort: number;
  /** `env:`, the values of `secrets:`, SKIFF_ENV…, the accessories' `app_env`: the container's environment. */
  env: Record<string, string>;
  mounts: StorageMount[];
  limits: ResourceLimits;
  /** The app's network when it has accessories (they are reached by name on it). */
  network: string | undefined;
}

/** Each instance of a container release is a container of its pinned image (container-instance.ts). */
export function containerInstances(options: ContainerInstancesOptions): InstanceFactory {
  return {
    kind: "container",
    create: (slot) =>
      new ContainerInstance({
        docker: options.docker,
        agent: options.agent,
        app: options.app,
        artifact: options.artifact,
        process: slot.process,
        idx: slot.idx,
        image: options.image,
        // "" for web without `start:`: the image's own CMD runs.
        command: slot.command || undefined,
        env: { ...options.env, SKIFF_PROCESS: slot.process },
        port: slot.port,
        containerPort: options.containerPort,
        mounts: options.mounts,
        limits: options.limits,
        ...(options.network ? { network: { name: options.network, aliases: [] } } : {}),
        log: slot.log,
        stopTimeoutMs: slot.stopTimeoutMs,
        onEvent: slot.onEvent,
      }),
    check: (instance) => async (command, timeoutMs, signal) => {
      const id = (instance as ContainerInstance).containerId;
      if (!id) return { ok: false, reason: "its container is not running" };
      try {
        const result = await execInContainer(options.docker.getContainer(id), command, timeoutMs, signal);
        return result.timedOut
          ? { ok: false, reason: `timed out after ${timeoutMs}ms` }
          : { ok: result.code === 0, reason: `exit code ${result.code}` };
      } catch (error) {
        return { ok: false, reason: errorMessage(error) };
      }
    },
  };
}

/**
 * The release's `storage:` paths bind-mounted from the app's storage, at the same path under the image's
 * working directory as a host release links them (`data` → WORKDIR/data).
 */
export function storageMounts(storageDir: string, paths: string[], workingDir: string): StorageMount[] {
  const base = workingDir || "/";
  return paths.map((path) => ({
    source: posix.join(storageDir, path),
    target: posix.join(base, path),
  }));
}
