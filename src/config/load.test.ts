import { describe, expect, it } from "vitest";
import { defaultPreflightConfig } from "../preflight/config.js";
import { parseDuration } from "./duration.js";
import { parseAppConfig } from "./load.js";
import { configIssues as issuesOf } from "./test-support/config-issues.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["2s", 2000],
    ["1.5s", 1500],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["7d", 604_800_000],
    [" 3s ", 3000],
  ])("%s → %d", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["2", "2 seconds", "s", "-1s", "1y", ""])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("parseAppConfig", () => {
  it("fills every default", () => {
    expect(parseAppConfig("app: hello\nstart: node server.js\n")).toEqual({
      app: "hello",
      start: "node server.js",
      build: undefined,
      processes: [
        {
          name: "web",
          command: "node server.js",
          instances: 1,
          minUptimeMs: 3000,
          healthcheck: undefined,
          stopTimeoutMs: 10_000,
        },
      ],
      release: undefined,
      releaseTimeoutMs: 300_000,
      install: undefined,
      cache: undefined,
      cacheKey: undefined,
      storage: [],
      hosts: [],
      instances: 1,
      env: {},
      secrets: [],
      healthcheck: {
        path: "/health",
        intervalMs: 1000,
        timeoutMs: 2000,
        healthyThreshold: 2,
        deployTimeoutMs: 60_000,
      },
      drainTimeoutMs: 30_000,
      stopTimeoutMs: 10_000,
      rollbackWindowMs: 300_000,
      keepReleases: 5,
      repo: undefined,
      branch: "main",
      webhookSecretEnv: "SKIFF_WEBHOOK_SECRET",
      previews: { enabled: false, hostTemplate: undefined, ttlMs: 604_800_000, max: 5 },
      environments: {},
      monitors: [],
      alerts: [],
      watch: { windowMs: 300_000, maxErrorRate: 0.01, maxP95LatencyMs: 2000, minRequests: 20 },
      envRequired: [],
      preflight: defaultPreflightConfig(),
      tls: { mode: { kind: "auto" }, httpsRedirect: true, hsts: undefined },
      backups: [],
      container: undefined,
      accessories: {},
      statusPage: false,
    });
  });

  it("reads every field", () => {
    const config = parseAppConfig(`
app: web-2
start: python app.py
build: pip install -r requirements.txt
host: Hello.Example.com
instances: 3
env: { NODE_ENV: production, WORKERS: 4, DEBUG: false }
healthcheck: { path: /up, interval: 250ms, timeout: 1s, healthy_threshold: 3, deploy_timeout: 2m }
drain_timeout: 5s
stop_timeout: 3s
rollback_window: 1h
keep_releases: 10
status_page: true
`);
    expect(config).toMatchObject({
      hosts: ["hello.example.com"],
      instances: 3,
      env: { NODE_ENV: "production", WORKERS: "4", DEBUG: "false" },
      healthcheck: {
        path: "/up",
        intervalMs: 250,
        timeoutMs: 1000,
        healthyThreshold: 3,
        deployTimeoutMs: 120_000,
      },
      drainTimeoutMs: 5000,
      stopTimeoutMs: 3000,
      rollbackWindowMs: 3_600_000,
      keepReleases: 10,
      statusPage: true,
    });
  });

  it.each([
    ["start: x\n", "app: is required"],
    ["app: hello\n", "start: is required"],
    ["app: Hello\nstart: x\n", "app: expected 1 to 40 lowercase letters, digits or dashes"],
    ["app: a\nstart: x\ninstances: 0\n", "instances: expected a whole number from 1 to 64"],
    ["app: a\nstart: x\ninstances: two\n", "instances: expected a whole number from 1 to 64"],
    [
      "app: a\nstart: x\nhealthcheck: { interval: 2 seconds }\n",
      'healthcheck.interval: expected a duration like 500ms, 2s, 5m or 1h, got "2 seconds"',
    ],
    [
      "app: a\nstart: x\nhealthcheck: { path: health }\n",
      "healthcheck.path: expected a path starting with /",
    ],
    ["app: a\nstart: x\nhelthcheck: {}\n", "helthcheck: unknown key (did you mean healthcheck?)"],
    [
      "app: a\nstart: x\nhealthcheck: { intervall: 1s }\n",
      "healthcheck.intervall: unknown key (did you mean interval?)",
    ],
    ["app: a\nstart: x\nenv: { PORT: 80 }\n", "env.PORT: is set by skiff for each instance; remove it"],
    ["app: a\nstart: x\nhost: not a host\n", "host: expected a host name like hello.example.com"],
    ["app: a\nstart: x\nkeep_releases: 0\n", "keep_releases: expected a whole number from 1 to 1000"],
    [
      "app: a\nstart: x\nsecrets: DB_URL\n",
      "secrets: expected a list of secret names, like [DATABASE_URL, STRIPE_KEY]",
    ],
    ["app: a\nstart: x\nsecrets: [db-url]\n", "secrets.0: expected a secret's name like DATABASE_URL"],
    ["app: a\nstart: x\nsecrets: [A, A]\n", "secrets.1: A is listed twice"],
    ["app: a\nstart: x\nsecrets: [PORT]\n", "secrets.0: PORT is set by skiff for each instance; remove it"],
    [
      "app: a\nstart: x\nenv: { KEY: x }\nsecrets: [KEY]\n",
      "secrets.0: KEY is also in env:; a secret's value comes from the agent, so remove it from env:",
    ],
    ["app: [\n", "line 2, column 1"],
    ["- a\n", "expected a mapping of keys"],
    ["app: a\nstart: x\nstatus_page: yes please\n", "status_page: expected true or false"],
  ])("%j → %s", (text, expected) => {
    expect(issuesOf(text).join("\n")).toContain(expected);
  });

  it("names the file in the error message", () => {
    expect(() => parseAppConfig("app: 1\n", "/srv/app/skiff.yml")).toThrow(
      /\/srv\/app\/skiff.yml is not valid/,
    );
  });
});
