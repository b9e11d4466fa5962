/**
 * Listening sockets the agent did not open itself: handed over by the agent it replaces (a reload), or
 * by a supervisor that holds them across restarts (systemd socket activation), so the kernel queues
 * connections while no agent accepts and no client is refused. Pure: reads the flags and environment it
 * is given, for tests with a table.
 */

/** Which of the agent's listeners a descriptor is for. */
export type ListenerName = "proxy" | "api" | "tls";

export type InheritedFds = Partial<Record<ListenerName, number>>;

export interface FdFlags {
  listenFd?: number;
  apiFd?: number;
  tlsFd?: number;
}

/** systemd passes its sockets from fd 3 on (sd_listen_fds(3)). */
const SD_LISTEN_FDS_START = 3;
const NAMES: readonly ListenerName[] = ["proxy", "api", "tls"];

/**
 * The descriptors to listen on: explicit flags win; else LISTEN_FDS when LISTEN_PID names this process
 * (it is meant for us, not inherited by accident from a parent). Named with LISTEN_FDNAMES
 * (`FileDescriptorName=proxy|api|tls` in the .socket unit), else in that order. A problem is a message
 * naming the variable or flag.
 */
export function inheritedFds(
  flags: FdFlags,
  env: Record<string, string | undefined>,
  pid: number,
): { fds: InheritedFds; problem?: string } {
  const explicit: InheritedFds = {
    ...(flags.listenFd !== undefined ? { proxy: flags.listenFd } : {}),
    ...(flags.apiFd !== undefined ? { api: flags.apiFd } : {}),
    ...(flags.tlsFd !== undefined ? { tls: flags.tlsFd } : {}),
  };
  if (Object.keys(explicit).length > 0 || env.LISTEN_FDS === undefined) return { fds: explicit };
  if (env.LISTEN_PID !== undefined && env.LISTEN_PID !== String(pid)) return { fds: {} };
  const count = Number(env.LISTEN_FDS);
  if (!Number.isInteger(count) || count < 1 || count > NAMES.length) {
    return {
      fds: {},
      problem: `LISTEN_FDS=${env.LISTEN_FDS}: expected 1 to ${NAMES.length} sockets (proxy, api, tls)`,
    };
  }
  const names = env.LISTEN_FDNAMES ? env.LISTEN_FDNAMES.split(":") : [];
  const fds: InheritedFds = {};
  for (let i = 0; i < count; i++) {
    const name = names[i] ?? NAMES[i];
    if (!NAMES.includes(name as ListenerName)) {
      return {
        fds: {},
        problem: `LISTEN_FDNAMES=${env.LISTEN_FDNAMES}: "${name}" is not one of proxy, api, tls`,
      };
    }
    fds[name as ListenerName] = SD_LISTEN_FDS_START + i;
  }
  return { fds };
}

/**
 * The variables that must not reach the agent's children (apps, a reloaded agent): sd_listen_fds(3)
 * unsets them for the same reason.
 */
export const LISTEN_ENV = ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] as const;
