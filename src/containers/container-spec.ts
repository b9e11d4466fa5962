import type Docker from "dockerode";
import { execPrefix } from "../runtime/instance.js";

/** A bind mount of a persistent storage path into the container. */
export interface StorageMount {
  /** The directory on the host (under DATA_DIR/storage/<app>/<env>/); it must exist. */
  source: string;
  /** The absolute path inside the container. */
  target: string;
  readOnly?: boolean;
}

export interface ResourceLimits {
  /** Hard memory limit in bytes; swap is not allowed beyond it. */
  memoryBytes?: number;
  /** CPU share in cores (0.5 = half a core). */
  cpus?: number;
}

export interface HealthcheckSpec {
  /** Run by the engine inside the container through its shell (compose's `CMD-SHELL`). */
  command: string;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** Everything Skiff decides about one container, before the engine's vocabulary. */
export interface ContainerSpec {
  name: string;
  /** An image id (sha256:…) for app releases, so a moved tag never changes what a release runs. */
  image: string;
  labels: Record<string, string>;
  /** Passed as the container's environment, never on a command line. */
  env: Record<string, string>;
  /**
   * Overrides the image's CMD: a string runs through the image's /bin/sh like a Dockerfile's shell form
   * (exec'ed when it is one simple command, so the app gets the signals); a list runs as is (exec form).
   * Undefined keeps the image's own CMD.
   */
  command?: string | string[];
  /** Published on 127.0.0.1 only: the proxy and the health checks reach it there, nobody else. */
  publish?: { hostPort: number; containerPort: number };
  mounts?: StorageMount[];
  limits?: ResourceLimits;
  /** A user-defined network and this container's names on it (accessories and the apps that use them). */
  network?: { name: string; aliases: string[] };
  healthcheck?: HealthcheckSpec;
  /** The user the image's command runs as (`postgres`, `999:999`); the image's own when absent. */
  user?: string;
  /** `no` for app instances (the agent supervises them); `unless-stopped` for accessories, which outlive it. */
  restart: "no" | "unless-stopped";
}

const NANOS_PER_MS = 1_000_000;

/** The engine's create options for `spec`. Pure: the whole mapping is tested as a table. */
export function createOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const portKey = spec.publish ? `${spec.publish.containerPort}/tcp` : undefined;
  const limits = spec.limits ?? {};
  const hostConfig: Docker.HostConfig = {
    // tini as PID 1: SIGTERM reaches the app (a process that is PID 1 ignores signals it has no handler
    // for), and zombies are reaped, as on the host where the agent is the parent.
    Init: true,
    RestartPolicy: { Name: spec.restart },
    // json-file with a cap, so `docker logs` and `skiff accessory logs` work and never fill the disk.
    LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "2" } },
    Mounts: (spec.mounts ?? []).map((m) => ({
      Type: "bind" as const,
      Source: m.source,
      Target: m.target,
      ReadOnly: m.readOnly ?? false,
    })),
    ...(portKey && spec.publish
      ? { PortBindings: { [portKey]: [{ HostIp: "127.0.0.1", HostPort: String(spec.publish.hostPort) }] } }
      : {}),
    ...(limits.memoryBytes ? { Memory: limits.memoryBytes, MemorySwap: limits.memoryBytes } : {}),
    ...(limits.cpus ? { NanoCpus: Math.round(limits.cpus * 1e9) } : {}),
    ...(spec.network ? { NetworkMode: spec.network.name } : {}),
  };
  return {
    name: spec.name,
    Image: spec.image,
    Labels: spec.labels,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    ...(spec.command !== undefined ? { Cmd: commandArgs(spec.command) } : {}),
    ...(spec.user ? { User: spec.user } : {}),
    ...(portKey ? { ExposedPorts: { [portKey]: {} } } : {}),
    ...(spec.healthcheck
      ? {
          Healthcheck: {
            Test: ["CMD-SHELL", spec.healthcheck.command],
            Interval: spec.healthcheck.intervalMs * NANOS_PER_MS,
            Timeout: spec.healthcheck.timeoutMs * NANOS_PER_MS,
            Retries: spec.healthcheck.retries,
            StartPeriod: spec.healthcheck.startPeriodMs * NANOS_PER_MS,
          },
        }
      : {}),
    HostConfig: hostConfig,
    ...(spec.network
      ? { NetworkingConfig: { EndpointsConfig: { [spec.network.name]: { Aliases: spec.network.aliases } } } }
      : {}),
  };
}

/** A command string in shell form (`/bin/sh -c`, exec'ed when simple), a list in exec form. */
export function commandArgs(command: string | string[]): string[] {
  return typeof command === "string" ? ["/bin/sh", "-c", execPrefix(command)] : command;
}
