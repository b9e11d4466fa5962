/**
 * Descriptors the agent inherited without close-on-exec: listening sockets from systemd or from the
 * agent it replaced (src/agent/listen-fds.ts). Node offers no fcntl to mark them, so an app's shell
 * closes them before running the app: an app holding the public port would keep it bound after the
 * agent and the socket's holder are gone.
 */
const inherited = new Set<number>();

export function markInherited(fds: Iterable<number>): void {
  for (const fd of fds) inherited.add(fd);
}

/** The shell prefix that closes them (`exec 3>&- 4>&-; `), or "" when there are none. */
export function closeInheritedPrefix(): string {
  if (inherited.size === 0) return "";
  return `exec ${[...inherited].map((fd) => `${fd}>&-`).join(" ")}; `;
}
