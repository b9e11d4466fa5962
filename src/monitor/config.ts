import { isIP } from "node:net";
import { z } from "zod";
import { count, duration, HOSTNAME, httpUrl, optionalDuration } from "../config/fields.js";

/**
 * `monitors:` in skiff.yml. Each entry checks one thing (an http(s) URL, a TCP port or a TLS
 * certificate) and is normalized to a MonitorSpec the scheduler runs.
 */

export interface HttpExpectation {
  /** Exact status wanted; without it any 2xx or 3xx passes. */
  status: number | undefined;
  bodyContains: string | undefined;
  maxLatencyMs: number | undefined;
}

export type MonitorTarget =
  /** `host`: a Host header to send (the app's own health monitor, checked through the proxy). */
  | { kind: "http"; url: string; expect: HttpExpectation; host?: string }
  | { kind: "tcp"; host: string; port: number }
  /** `address`: where to connect when it is not `host` (the agent's own TLS port, asked for `host` by SNI). */
  | { kind: "tls"; host: string; port: number; expiresWithinMs: number; address?: string };

export interface MonitorSpec {
  name: string;
  target: MonitorTarget;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures before an incident opens. */
  failureThreshold: number;
  /** Consecutive passes before an open incident resolves. */
  successThreshold: number;
}

/** The name of the monitor every app gets for its own health check. */
export const APP_HEALTH_MONITOR = "health";

export const MONITOR_DEFAULTS = {
  intervalMs: 60_000,
  timeoutMs: 5_000,
  failureThreshold: 3,
  successThreshold: 2,
  expiresWithinMs: 14 * 86_400_000,
} as const;

export const MONITOR_KNOWN_KEYS: Record<string, string[]> = {
  "monitors.*": [
    "name",
    "url",
    "tcp",
    "tls",
    "expect",
    "expires_within",
    "interval",
    "timeout",
    "failure_threshold",
    "success_threshold",
  ],
  "monitors.*.expect": ["status", "body_contains", "max_latency"],
};

const expect = z.strictObject({
  status: z
    .number({ error: "expected an HTTP status code like 200" })
    .int({ error: "expected an HTTP status code like 200" })
    .min(100, { error: "expected an HTTP status code like 200" })
    .max(599, { error: "expected an HTTP status code like 200" })
    .optional(),
  body_contains: z.string().min(1, { error: "must not be empty" }).optional(),
  max_latency: optionalDuration(),
});

const HOST_PORT_HINT = "expected host:port, like 127.0.0.1:5432 or db.internal:5432";

/** "db:5432", "[::1]:5432"; `defaultPort` lets `tls: example.com` mean port 443. */
export function parseHostPort(
  text: string,
  defaultPort?: number,
): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!match) return undefined;
  const host = (match[1] ?? match[2]!).toLowerCase();
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (port === undefined || port < 1 || port > 65_535) return undefined;
  if (match[1] !== undefined ? isIP(host) !== 6 : !isIP(host) && !HOSTNAME.test(host)) return undefined;
  return { host, port };
}

const hostPort = (defaultPort?: number) =>
  z.string({ error: HOST_PORT_HINT }).transform((text, ctx) => {
    const parsed = parseHostPort(text, defaultPort);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: `${HOST_PORT_HINT}, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return parsed;
  });

const monitorFields = z.strictObject({
  name: z
    .string({ error: "is required: a short name like home or db" })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
      error: "expected 1 to 63 letters, digits, dots, dashes or underscores",
    }),
  url: httpUrl.optional(),
  tcp: hostPort().optional(),
  tls: hostPort(443).optional(),
  expect: expect.optional(),
  expires_within: optionalDuration(),
  interval: duration("60s"),
  timeout: duration("5s"),
  failure_threshold: count(MONITOR_DEFAULTS.failureThreshold, 1, 100),
  success_threshold: count(MONITOR_DEFAULTS.successThreshold, 1, 100),
});

type MonitorFields = z.output<typeof monitorFields>;

const monitorEntry = monitorFields
  .superRefine((m, ctx) => {
    const kinds = (["url", "tcp", "tls"] as const).filter((k) => m[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          kinds.length === 0
            ? "needs one of url:, tcp: or tls: (what to check)"
            : `has ${kinds.join(" and ")}; give exactly one of url:, tcp: or tls:`,
      });
    }
    if (m.expect !== undefined && m.url === undefined) {
      ctx.addIssue({ code: "custom", path: ["expect"], message: "only applies to url: monitors" });
    }
    if (m.expires_within !== undefined && m.tls === undefined) {
      ctx.addIssue({ code: "custom", path: ["expires_within"], message: "only applies to tls: monitors" });
    }
    if (m.interval < 1000)
      ctx.addIssue({ code: "custom", path: ["interval"], message: "must be at least 1s" });
    if (m.timeout >= m.interval) {
      ctx.addIssue({ code: "custom", path: ["timeout"], message: "must be shorter than interval" });
    }
  })
  .transform(
    (m): MonitorSpec => ({
      name: m.name,
      target: targetOf(m),
      intervalMs: m.interval,
      timeoutMs: m.timeout,
      failureThreshold: m.failure_threshold,
      successThreshold: m.success_threshold,
    }),
  );

function targetOf(m: MonitorFields): MonitorTarget {
  if (m.tcp) return { kind: "tcp", ...m.tcp };
  if (m.tls) {
    return { kind: "tls", ...m.tls, expiresWithinMs: m.expires_within ?? MONITOR_DEFAULTS.expiresWithinMs };
  }
  return {
    kind: "http",
    url: m.url!,
    expect: {
      status: m.expect?.status,
      bodyContains: m.expect?.body_contains,
      maxLatencyMs: m.expect?.max_latency,
    },
  };
}

export const monitorsSchema = z
  .array(monitorEntry, { error: "expected a list of monitors (- name: …)" })
  .default([])
  .superRefine((monitors, ctx) => {
    const seen = new Map<string, number>();
    monitors.forEach((m, i) => {
      if (m.name === APP_HEALTH_MONITOR) {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `"${APP_HEALTH_MONITOR}" is the app's own health check monitor; pick another name`,
        });
      }
      const first = seen.get(m.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `"${m.name}" is already the name of monitors.${first}; names must be unique`,
        });
      } else seen.set(m.name, i);
    });
  });

/** The monitor every app has: its own health check, through the agent's view of a live instance. */
export function appHealthMonitor(
  url: string,
  overrides: Partial<Omit<MonitorSpec, "target">> = {},
): MonitorSpec {
  return {
    name: APP_HEALTH_MONITOR,
    target: {
      kind: "http",
      url,
      expect: { status: undefined, bodyContains: undefined, maxLatencyMs: undefined },
    },
    intervalMs: MONITOR_DEFAULTS.intervalMs,
    timeoutMs: MONITOR_DEFAULTS.timeoutMs,
    failureThreshold: MONITOR_DEFAULTS.failureThreshold,
    successThreshold: MONITOR_DEFAULTS.successThreshold,
    ...overrides,
  };
}
