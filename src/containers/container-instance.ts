import { randomBytes } from "node:crypto";
import { constants } from "node:os";
import type Docker from "dockerode";
import { errorMessage } from "../errors.js";
import type { InstanceEvent, InstanceState } from "../runtime/instance.js";
import type { LogFile } from "../runtime/log-file.js";
import type { ReleaseInstance } from "../runtime/release-instance.js";
import { nextRestart } from "../runtime/restart-backoff.js";
import {
  createContainer,
  exitDetails,
  removeContainer,
  startWithOutput,
  stopContainer,
  waitForExit,
} from "./container.js";
import type { ContainerSpec, ResourceLimits, StorageMount } from "./container-spec.js";
import { engineErrorMessage } from "./engine.js";
import { containerName, instanceLabels } from "./labels.js";

export interface ContainerInstanceOptions {
  docker: Docker;
  /** The agent's id (labels), the app, the release (artifact) and the process type (`web`, `worker`…). */
  agent: string;
  app: string;
  artifact: string;
  process: string;
  idx: number;
  /** The pinned image id of the release. */
  image: string;
  /** The process type's command; undefined runs the image's CMD. */
  command?: string | string[];
  /** `env:` and the values of `secrets:`: the container's environment, never its command line. */
  env: Record<string, string>;
  /** The host port on 127.0.0.1 the container's port is published on (chosen like a host process's). */
  port: number;
  /** The port the app listens on inside the container (`port:`, the image's EXPOSE, or 3000). */
  containerPort: number;
  mounts?: StorageMount[];
  limits?: ResourceLimits;
  network?: { name: string; aliases: string[] };
  log: LogFile;
  stopTimeoutMs: number;
  onEvent: (instance: ContainerInstance, event: InstanceEvent) => void;
}

/**
 * One instance of a release run as a container, with the lifecycle of a host process (`Instance`): started,
 * health-gated on its published port from the agent, restarted with the same backoff when it crashes while
 * supervised, stopped with SIGTERM then SIGKILL after stop_timeout. A restart starts the same container
 * again (its writable layer is kept: with the vfs driver a new one would copy the whole image); `stop()`
 * removes it.
 */
export class ContainerInstance implements ReleaseInstance {
  readonly id = `i-${randomBytes(6).toString("hex")}`;
  state: InstanceState = "starting";
  pid: number | undefined;
  startedAt = 0;
  restarts = 0;
  healthy = false;
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  supervised = false;
  /** The engine's container id, once created. */
  containerId: string | undefined;
  private container: Docker.Container | undefined;
  private run = 0;
  private launching: Promise<void> = Promise.resolve();
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(readonly options: ContainerInstanceOptions) {}

  get port(): number {
    return this.options.port;
  }

  get idx(): number {
    return this.options.idx;
  }

  get process(): string {
    return this.options.process;
  }

  get name(): string {
    return containerName(this.options.app, this.id);
  }

  /** What the engine is asked to create; pure, so tests and the reconciliation read the same labels. */
  spec(): ContainerSpec {
    const { options } = this;
    return {
      name: this.name,
      image: options.image,
      labels: instanceLabels({
        agent: options.agent,
        app: options.app,
        release: options.artifact,
        instance: this.id,
        process: options.process,
      }),
      env: {
        ...options.env,
        PORT: String(options.containerPort),
        // Inside its own network namespace the app must listen on every interface for the published port
        // to reach it; the port is published on the host's 127.0.0.1 only.
        HOST: "0.0.0.0",
        SKIFF_APP: options.app,
        SKIFF_RELEASE: options.artifact,
        SKIFF_INSTANCE: this.id,
      },
      command: options.command,
      publish: { hostPort: options.port, containerPort: options.containerPort },
      mounts: options.mounts,
      limits: options.limits,
      network: options.network,
      restart: "no",
    };
  }

  start(): void {
    const run = ++this.run;
    this.state = "starting";
    this.healthy = false;
    this.startedAt = Date.now();
    this.pid = undefined;
    let resolveExit!: () => void;
    this.exited = new Promise((resolve) => {
      resolveExit = resolve;
    });
    this.launching = this.launch(run, resolveExit);
  }

  async stop(): Promise<void> {
    this.supervised = false;
    clearTimeout(this.restartTimer);
    if (this.state === "stopped") return;
    this.state = "stopping";
    this.healthy = false;
    await this.launching;
    const container = this.container;
    if (container) {
      const how = await stopContainer(container, this.options.stopTimeoutMs);
      if (how === "killed") this.options.log.note(`instance ${this.idx} did not stop in time: killed`);
      await this.exited;
      await removeContainer(container);
    }
    this.state = "stopped";
    this.pid = undefined;
    this.options.onEvent(this, { name: "stopped", message: `instance ${this.idx} stopped` });
  }

  whenExited(): Promise<void> {
    return this.exited;
  }

  private async launch(run: number, resolveExit: () => void): Promise<void> {
    const { options } = this;
    try {
      if (!this.container) {
        this.container = await createContainer(options.docker, this.spec());
        this.containerId = this.container.id;
      }
      await startWithOutput(this.container, options.log);
    } catch (error) {
      options.log.note(`instance ${this.idx} could not start: ${engineErrorMessage(error)}`);
      this.onExit(run, null, resolveExit);
      return;
    }
    // The pid is for `skiff status` only: an engine hiccup here must not fail a container that runs.
    const { pid } = await exitDetails(this.container).catch(() => ({ pid: undefined }));
    this.pid = pid;
    options.log.note(
      `instance ${this.idx} started: container ${this.container.id.slice(0, 12)}, 127.0.0.1:${options.port} → ${options.containerPort}`,
    );
    options.onEvent(this, {
      name: "spawned",
      message: `container ${this.container.id.slice(0, 12)} on port ${options.port}`,
      data: { pid, port: options.port, container: this.container.id },
    });
    const container = this.container;
    // Not awaited: launching ends when the container runs; the exit is observed in the background.
    void waitForExit(container).then(
      async (code) => {
        const details = await exitDetails(container).catch(() => undefined);
        if (details?.oomKilled) {
          const limit = options.limits?.memoryBytes;
          options.log.note(
            `instance ${this.idx} was killed for using more than its memory limit (${limit} bytes)`,
          );
        }
        this.onExit(run, code, resolveExit);
      },
      (error: unknown) => {
        options.log.note(`instance ${this.idx}: lost track of its container: ${errorMessage(error)}`);
        this.onExit(run, null, resolveExit);
      },
    );
  }

  private onExit(run: number, code: number | null, resolveExit: () => void): void {
    if (run !== this.run) return;
    const signal = signalOf(code);
    this.lastExit = signal ? { code: null, signal } : { code, signal: null };
    this.healthy = false;
    this.pid = undefined;
    if (this.state === "stopping") {
      resolveExit();
      return;
    }
    this.state = "exited";
    const how = signal ? `killed by ${signal}` : code === null ? "did not start" : `exit code ${code}`;
    this.options.log.note(`instance ${this.idx} exited (${how})`);
    this.options.onEvent(this, {
      name: "exited",
      message: `instance ${this.idx} exited (${how})`,
      data: { code, signal },
    });
    resolveExit();
    if (this.supervised) this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const { delayMs, restarts } = nextRestart(this.restarts, this.startedAt, Date.now());
    this.restarts = restarts;
    this.options.onEvent(this, {
      name: "restarting",
      message: `restarting instance ${this.idx} in ${delayMs}ms (restart ${this.restarts})`,
      data: { delayMs, restarts: this.restarts },
    });
    this.restartTimer = setTimeout(() => {
      if (this.supervised && this.state === "exited") this.start();
    }, delayMs);
  }
}

/**
 * tini (the container's init) exits with 128 + the signal's number when the app was killed by a signal;
 * 137 is also what the engine reports after its own SIGKILL.
 */
export function signalOf(code: number | null): NodeJS.Signals | null {
  if (code === null || code <= 128) return null;
  const entry = Object.entries(constants.signals).find(([, number]) => number === code - 128);
  return (entry?.[0] as NodeJS.Signals | undefined) ?? null;
}
