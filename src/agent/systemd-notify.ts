import { execFile } from "node:child_process";
import type { Logger } from "pino";

/**
 * Tells systemd (Type=notify) that this process is the service's main process and ready: after a reload
 * the main pid changes, and MAINPID= is how systemd follows it (NotifyAccess=all, since the message comes
 * from a helper process). Node cannot send the datagram itself (no AF_UNIX SOCK_DGRAM), so it runs
 * systemd-notify(1), which ships with systemd. A no-op without NOTIFY_SOCKET (not under systemd).
 */
export function notifySystemd(fields: string[], logger: Logger): void {
  if (!process.env.NOTIFY_SOCKET) return;
  execFile("systemd-notify", [`--pid=${process.pid}`, ...fields], (error) => {
    if (error) logger.warn({ err: error.message, fields }, "could not notify systemd");
  });
}
