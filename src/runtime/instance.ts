import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { LogFile } from "./log-file.js";
import { processEnvironment, type ReleaseEnvironment } from "./process-env.js";
import { groupAlive, signalGroup, stopGroup } from "./process-group.js";
import type { ReleaseInstance } from "./release-instance.js";
import { nextRestart } from "./restart-backoff.js";
import { spawnApp } from "./spawn-app.js";

/** How often an adopted process (not a child of this agent) is checked for having exited. */
const ADOPTED_POLL_MS = 250;

export type InstanceState = "starting" | "running" | "exited" | "stopping" | "stopped";

export interface InstanceEvent {
  name: "spawned" | "exited" | "restarting" | "stopped";
  message: string;
  data?: Record<string, unknown>;
}

export interface InstanceOptions {
  app: string;
  artifact: string;
  /** The process type: `web` (listens on `port`, gets traffic) or another (`worker`…). */
  process: string;
  /** Its index among the instances of its type. */
  idx: number;
  dir: string;
  command: string;
  release: ReleaseEnvironment;
  /** Web only: where it listens. */
  port: number | undefined;
  /** Its type's log. */
  log: LogFile;
  stopTimeoutMs: number;
  /** A process an earlier agent started and this one adopts (src/runtime/adopt.ts) instead of a new one. */
  adopted?: { id: string; pid: number; startedAt: number };
  onEvent: (instance: Instance, event: InstanceEvent) => void;
}

/**
 * One process of one release: spawned in its own process group (a web one with PORT and HOST set), its
 * output appended to its type's log, restarted with backoff when it crashes while `supervised`.
 */
export class Instance implements ReleaseInstance {
  readonly id: string;
  state: InstanceState = "starting";
  pid: number | undefined;
  startedAt = 0;
  restarts = 0;
  healthy = false;
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** When true, an unexpected exit restarts the process (after the health gate, not during it). */
  supervised = false;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  /** Handed over to the agent that replaces this one: its exit is no longer this agent's business. */
  private detached = false;

  constructor(readonly options: InstanceOptions) {
    this.id = options.adopted?.id ?? `i-${randomBytes(6).toString("hex")}`;
    if (options.adopted) this.adopt(options.adopted);
  }

  get port(): number | undefined {
    return this.options.port;
  }

  get process(): string {
    return this.options.process;
  }

  get idx(): number {
    return this.options.idx;
  }

  /** The marker in the process environment that lets a restarted agent recognise this process. */
  get marker(): string {
    return `SKIFF_INSTANCE=${this.id}`;
  }

  start(): void {
    const { options } = this;
    const child = spawnApp(execPrefix(options.command), {
      cwd: options.dir,
      env: processEnvironment(options.release, {
        process: options.process,
        port: options.port,
        marker: { SKIFF_INSTANCE: this.id },
      }),
      user: options.release.user,
      // Straight into the log, not through the agent: the app outlives a reload or a crash of the agent,
      // and a pipe would break under it (SIGPIPE, EPIPE) when the agent goes.
      output: options.log.fd,
    });
    this.child = child;
    this.state = "starting";
    this.healthy = false;
    this.startedAt = Date.now();
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.onExit(child, code, signal);
        resolve();
      });
    });
    child.once("error", (error) => options.log.note(`could not start: ${error.message}`));
    const where = options.port === undefined ? "" : `, port ${options.port}`;
    options.log.note(`${this.label} started: pid ${child.pid}${where}: ${options.command}`);
    this.options.onEvent(this, {
      name: "spawned",
      message: `pid ${child.pid}${options.port === undefined ? "" : ` on port ${options.port}`}`,
      data: { pid: child.pid, port: options.port ?? null, process: options.process },
    });
  }

  /** SIGTERM, then SIGKILL after stop_timeout. Never restarts afterwards. */
  async stop(): Promise<void> {
    this.supervised = false;
    clearTimeout(this.restartTimer);
    if (this.state === "stopped") return;
    const pid = this.pid;
    this.state = "stopping";
    this.healthy = false;
    if (pid !== undefined && groupAlive(pid)) {
      const how = await stopGroup(pid, this.options.stopTimeoutMs);
      if (how === "killed") this.options.log.note(`${this.label} did not stop in time: killed`);
    }
    await this.exited;
    this.state = "stopped";
    this.options.onEvent(this, { name: "stopped", message: `${this.label} stopped` });
  }

  /**
   * Stops supervising without stopping: the agent replacing this one (a reload) or the next start
   * (`--keep-apps`) adopts the process.
   */
  detach(): void {
    this.detached = true;
    this.supervised = false;
    clearTimeout(this.restartTimer);
    this.child?.unref();
  }

  /** Resolves when the current process exits (for the health gate to fail fast). */
  whenExited(): Promise<void> {
    return this.exited;
  }

  /** `instance 0` for web (as logs have always said), `worker 1` for the others. */
  get label(): string {
    return `${this.options.process === "web" ? "instance" : this.options.process} ${this.idx}`;
  }

  /**
   * Takes over a running process an earlier agent started: not our child, so its exit is seen by
   * polling its process group (the kernel tells only the parent), then handled like a child's.
   */
  private adopt(adopted: { pid: number; startedAt: number }): void {
    this.pid = adopted.pid;
    this.startedAt = adopted.startedAt;
    this.state = "running";
    this.exited = new Promise((resolve) => {
      const poll = setInterval(() => {
        if (groupAlive(adopted.pid)) return;
        clearInterval(poll);
        this.onExit(undefined, null, null);
        resolve();
      }, ADOPTED_POLL_MS);
      poll.unref();
    });
  }

  private onExit(child: ChildProcess | undefined, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child || this.detached) return;
    this.lastExit = { code, signal };
    this.healthy = false;
    const expected = this.state === "stopping";
    // The shell or the app may have left children behind in the group: they would hold the port.
    if (this.pid !== undefined && !expected) signalGroup(this.pid, "SIGKILL");
    if (expected) return;
    this.state = "exited";
    const how = signal
      ? `killed by ${signal}`
      : child
        ? `exit code ${code}`
        : "an adopted process: its exit code goes to its first parent";
    this.options.log.note(`${this.label} exited (${how})`);
    this.options.onEvent(this, {
      name: "exited",
      message: `${this.label} exited (${how})`,
      data: { code, signal, process: this.options.process },
    });
    if (this.supervised) this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const { delayMs: delay, restarts } = nextRestart(this.restarts, this.startedAt, Date.now());
    this.restarts = restarts;
    this.options.onEvent(this, {
      name: "restarting",
      message: `restarting ${this.label} in ${delay}ms (restart ${this.restarts})`,
      data: { delayMs: delay, restarts: this.restarts, process: this.options.process },
    });
    this.restartTimer = setTimeout(() => {
      if (this.supervised && this.state === "exited") this.start();
    }, delay);
  }
}

/**
 * `exec` the command when it is one simple command, so the pid we record is the app's own rather than a
 * shell's. Compound commands (`cd x && node y`, pipes, assignments) keep the shell; the process group
 * still reaches the app.
 */
export function execPrefix(command: string): string {
  const simple =
    !/[;&|()\n`]/.test(command) && !/^\s*(\w+=|if\b|for\b|while\b|until\b|case\b|\{|!)/.test(command);
  return simple ? `exec ${command}` : command;
}
