import { describe, expect, it } from "vitest";
import type { MonitorStatus } from "../monitor/monitor-service.js";
import { INITIAL_STATE } from "../monitor/monitor-state.js";
import { safeNext } from "./auth.js";
import { healthOf } from "./data/overview.js";
import { publicStatus } from "./data/status-page.js";

describe("where a login sends a person next", () => {
  it.each([
    [undefined, "/dashboard"],
    ["/dashboard", "/dashboard"],
    ["/dashboard/apps/hello?env=staging", "/dashboard/apps/hello?env=staging"],
    ["/dashboard?x=1", "/dashboard?x=1"],
    ["https://evil.example/", "/dashboard"],
    ["//evil.example/dashboard", "/dashboard"],
    ["/dashboardevil", "/dashboard"],
    ["/dashboard/\\evil.example", "/dashboard"],
    ["/dashboard/ x", "/dashboard"],
    ["/status/hello", "/dashboard"],
  ])("%s → %s", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe("a deployment's health", () => {
  it.each([
    [[], "none"],
    [[{ healthy: true }, { healthy: true }], "healthy"],
    [[{ healthy: true }, { healthy: false }], "degraded"],
    [[{ healthy: false }], "down"],
  ] as const)("%j → %s", (instances, expected) => {
    expect(healthOf([...instances])).toBe(expected);
  });
});

describe("the public status", () => {
  const monitor = (name: string, up: boolean | null, incident: boolean): MonitorStatus => ({
    monitorId: `hello/${name}`,
    app: "hello",
    monitor: name,
    kind: "http",
    target: "http://10.1.2.3:8080/internal",
    intervalMs: 1000,
    up,
    lastCheckAt: null,
    latencyMs: null,
    lastError: "connect ECONNREFUSED 10.1.2.3:8080",
    certExpiresAt: null,
    state: incident
      ? { ...INITIAL_STATE, incident: { startedAt: "", openedAt: "", cause: "x" } }
      : INITIAL_STATE,
  });
  const now = Date.parse("2026-03-20T00:00:00Z");
  const incident = (startedAt: string, resolvedAt: string | null) => ({
    id: "1",
    app: "hello",
    monitor: "home",
    target: "http://10.1.2.3:8080/internal",
    startedAt,
    openedAt: startedAt,
    resolvedAt,
    durationMs: resolvedAt ? 60_000 : null,
    cause: "status 502 from 10.1.2.3",
    release: "r42",
    acknowledgedAt: null,
    acknowledgedBy: "someone",
  });

  it("says which monitors are down and keeps names and times only", () => {
    const status = publicStatus(
      "hello",
      [monitor("home", true, false), monitor("db", false, true)],
      [incident("2026-03-19T00:00:00Z", null), incident("2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z")],
      now,
    );
    expect(status).toEqual({
      app: "hello",
      days: 14,
      overall: "degraded",
      monitors: [
        { name: "home", state: "up" },
        { name: "db", state: "down" },
      ],
      incidents: [{ monitor: "home", startedAt: "2026-03-19T00:00:00Z", resolvedAt: null, durationMs: null }],
    });
    expect(JSON.stringify(status)).not.toMatch(/10\.1\.2\.3|r42|someone|502/);
  });

  it.each([
    [[], "unknown"],
    [[monitor("home", null, false)], "unknown"],
    [[monitor("home", true, false), monitor("db", null, false)], "operational"],
  ])("overall %#: %s", (monitors, overall) => {
    expect(publicStatus("hello", monitors, [], now).overall).toBe(overall);
  });
});
