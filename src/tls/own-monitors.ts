import type { AppConfig } from "../config/schema.js";
import { MONITOR_DEFAULTS, type MonitorSpec } from "../monitor/config.js";
import { DEFAULT_APP_TLS } from "./config.js";

/** Monitor names skiff.yml cannot use (they allow no colon), so these never clash with the app's own. */
export const OWN_TLS_MONITOR_PREFIX = "tls:";

/**
 * A TLS monitor per host of an app served over HTTPS: the existing monitor type, connecting to the
 * agent's own TLS port and asking for the host by SNI, so an expiring or broken certificate opens an
 * incident and alerts like any monitor. Wildcards have no single name to ask for and are left out.
 */
export function ownTlsMonitors(config: AppConfig, address: { host: string; port: number }): MonitorSpec[] {
  if ((config.tls ?? DEFAULT_APP_TLS).mode.kind === "off") return [];
  return config.hosts
    .filter((host) => !host.startsWith("*."))
    .map((host) => ({
      name: `${OWN_TLS_MONITOR_PREFIX}${host}`,
      target: {
        kind: "tls",
        host,
        port: address.port,
        address: address.host,
        expiresWithinMs: MONITOR_DEFAULTS.expiresWithinMs,
      },
      intervalMs: MONITOR_DEFAULTS.intervalMs,
      timeoutMs: MONITOR_DEFAULTS.timeoutMs,
      failureThreshold: MONITOR_DEFAULTS.failureThreshold,
      successThreshold: MONITOR_DEFAULTS.successThreshold,
    }));
}
