import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeInheritedPrefix } from "./inherited-fds.js";
import type { LogFile } from "./log-file.js";
import { groupAlive, signalGroup, stopGroup } from "./process-group.js";
import type { ReleaseInstance } from "./release-instance.js";
import { nextRestart } from "./restart-backoff.js";

export type InstanceState = "starting" | "running" | "exited" | "stopping" | "stopped";

export interface InstanceEvent {
  name: "spawned" | "exited" | "restarting" | "stopped";
  message: string;
  data?: Record<string, unknown>;
}

export interface InstanceOptions {
  app: string;
  artifact: string;
  idx: number;
  dir: string;
  command: string;
  env: Record<string, string>;
  port: number;
  log: LogFile;
  stopTimeoutMs: number;
  /** A process an earlier agent started and this one adopts (src/runtime/adopt.ts) instead of a new one. */
  adopted?: { id: string; pid: number; startedAt: number };
  onEvent: (instance: Instance, event: InstanceEvent) => void;
}

/** How often an adopted process (not a child of this agent) is checked for having exited. */
const ADOPTED_POLL_MS = 250;

/** Environment variables an app inherits from the agent; anything else (tokens, secrets) stays with the agent. */
const INHERITED_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LC_ALL",
  "TZ",
  "TMPDIR",
  "NODE_EXTRA_CA_CERTS",
];

/**
 * One process of one release: spawned in its own process group with PORT and HOST set, its output
 * appended to the release log, restarted with backoff when it crashes while `supervised`.
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

  get port(): number {
    return this.options.port;
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
    const child = spawn("/bin/sh", ["-c", closeInheritedPrefix() + execPrefix(options.command)], {
      cwd: options.dir,
      env: this.environment(),
      detached: true,
      // Straight into the release log, not through the agent: the app outlives a reload or a crash of
      // the agent, and a pipe would break under it (SIGPIPE, EPIPE) when the agent goes.
      stdio: ["ignore", options.log.fd, options.log.fd],
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
    options.log.note(
      `instance ${options.idx} started: pid ${child.pid}, port ${options.port}: ${options.command}`,
    );
    this.options.onEvent(this, {
      name: "spawned",
      message: `pid ${child.pid} on port ${options.port}`,
      data: { pid: child.pid, port: options.port },
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
      if (how === "killed") this.options.log.note(`instance ${this.idx} did not stop in time: killed`);
    }
    await this.exited;
    this.state = "stopped";
    this.options.onEvent(this, { name: "stopped", message: `instance ${this.idx} stopped` });
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

  private environment(): NodeJS.ProcessEnv {
    return {
      ...appEnvironment(this.options.env),
      PORT: String(this.options.port),
      HOST: "127.0.0.1",
      SKIFF_APP: this.options.app,
      SKIFF_RELEASE: this.options.artifact,
      SKIFF_INSTANCE: this.id,
    };
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
    this.options.log.note(`instance ${this.idx} exited (${how})`);
    this.options.onEvent(this, {
      name: "exited",
      message: `instance ${this.idx} exited (${how})`,
      data: { code, signal },
    });
    if (this.supervised) this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const { delayMs: delay, restarts } = nextRestart(this.restarts, this.startedAt, Date.now());
    this.restarts = restarts;
    this.options.onEvent(this, {
      name: "restarting",
      message: `restarting instance ${this.idx} in ${delay}ms (restart ${this.restarts})`,
      data: { delayMs: delay, restarts: this.restarts },
    });
    this.restartTimer = setTimeout(() => {
      if (this.supervised && this.state === "exited") this.start();
    }, delay);
  }
}

/** The environment of an app process: a few basics from the agent's own, then the app's `env:`. */
export function appEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    INHERITED_ENV.filter((key) => process.env[key] !== undefined).map((key) => [key, process.env[key]]),
  );
  return { ...inherited, ...env };
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
