import { spawn } from "node:child_process";
import { type InheritedFds, LISTEN_ENV, type ListenerName } from "./listen-fds.js";

/**
 * The reload of the agent (SIGHUP, `skiff agent reload`): like nginx's binary upgrade (USR2) and
 * HAProxy's socket transfer, the running agent starts the code now on disk as a child that inherits its
 * listening sockets, and hands over only once that child reports ready, so the sockets are never closed
 * and a broken install leaves the old agent serving. Unlike nginx's reload, the old agent then closes no
 * idle connection under a client (Agent.handOver). This file is both sides of that exchange.
 */

/** In the new agent's environment: the pid of the agent it replaces. */
export const REPLACING_ENV = "SKIFF_REPLACING";
/** The IPC channel sits at fd 3; the listening sockets follow it. */
const FIRST_SOCKET_FD = 4;
const FLAGS: Record<ListenerName, string> = { proxy: "--listen-fd", api: "--api-fd", tls: "--tls-fd" };

type Message = { type: "skiff-ready"; pid: number } | { type: "skiff-failed"; message: string };

export type ReexecResult = { ok: true; pid: number } | { ok: false; pid: number | undefined; reason: string };

/**
 * Starts the new agent with the same command line (its flags win over any repeated ones: the inherited
 * sockets) and waits until it is ready, exits, or `timeoutMs` passes (then it is killed).
 */
export function reexec(fds: InheritedFds, timeoutMs: number): Promise<ReexecResult> {
  const names = (Object.keys(FLAGS) as ListenerName[]).filter((name) => fds[name] !== undefined);
  const socketArgs = names.flatMap((name, i) => [FLAGS[name], String(FIRST_SOCKET_FD + i)]);
  const env: NodeJS.ProcessEnv = { ...process.env, [REPLACING_ENV]: String(process.pid) };
  for (const key of LISTEN_ENV) delete env[key];
  return new Promise((resolve) => {
    let failure: string | undefined;
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1), ...socketArgs], {
      env,
      stdio: ["ignore", "inherit", "inherit", "ipc", ...names.map((name) => fds[name] as number)],
    });
    const done = (result: ReexecResult) => {
      clearTimeout(timer);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(result);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      done({ ok: false, pid: child.pid, reason: `not ready after ${Math.round(timeoutMs / 1000)}s` });
    }, timeoutMs);
    child.on("message", (message: Message) => {
      if (message.type === "skiff-ready") done({ ok: true, pid: message.pid });
      else if (message.type === "skiff-failed") failure = message.message;
    });
    child.once("error", (error) => done({ ok: false, pid: child.pid, reason: error.message }));
    child.once("exit", (code, signal) =>
      done({
        ok: false,
        pid: child.pid,
        reason: `${failure ? `${failure.trim()}; ` : ""}it exited (${signal ?? `code ${code}`}) before it was ready`,
      }),
    );
  });
}

/** In the new agent: tells the agent it replaces that it serves now, then lets go of the channel. */
export function reportReady(): void {
  if (!process.env[REPLACING_ENV] || !process.send) return;
  process.send({ type: "skiff-ready", pid: process.pid } satisfies Message, () => process.disconnect());
}

/** In a new agent that fails to start: why, for the old agent's log (its own output is shared anyway). */
export function reportStartFailure(message: string): Promise<void> {
  const send = process.send?.bind(process);
  if (!process.env[REPLACING_ENV] || !send) return Promise.resolve();
  return new Promise((resolve) => send({ type: "skiff-failed", message } satisfies Message, () => resolve()));
}

/** The pid of the agent this one replaces, when started by a reload. */
export function replacing(): number | undefined {
  const pid = Number(process.env[REPLACING_ENV]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
