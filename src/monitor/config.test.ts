import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { configIssues, withSection } from "../config/test-support/config-issues.js";
import { appHealthMonitor, parseHostPort } from "./config.js";

describe("monitors config", () => {
  it("normalizes the three kinds with their defaults", () => {
    const config = parseAppConfig(
      withSection(`
monitors:
  - name: home
    url: https://hello.example.com/
    interval: 30s
    timeout: 5s
    expect: { status: 200, body_contains: "Welcome", max_latency: 2s }
    failure_threshold: 4
    success_threshold: 1
  - name: db
    tcp: 127.0.0.1:5432
  - name: cert
    tls: hello.example.com
    expires_within: 7d
  - name: v6
    tcp: "[::1]:6379"
`),
    );
    expect(config.monitors).toEqual([
      {
        name: "home",
        target: {
          kind: "http",
          url: "https://hello.example.com/",
          expect: { status: 200, bodyContains: "Welcome", maxLatencyMs: 2000 },
        },
        intervalMs: 30_000,
        timeoutMs: 5000,
        failureThreshold: 4,
        successThreshold: 1,
      },
      {
        name: "db",
        target: { kind: "tcp", host: "127.0.0.1", port: 5432 },
        intervalMs: 60_000,
        timeoutMs: 5000,
        failureThreshold: 3,
        successThreshold: 2,
      },
      {
        name: "cert",
        target: { kind: "tls", host: "hello.example.com", port: 443, expiresWithinMs: 7 * 86_400_000 },
        intervalMs: 60_000,
        timeoutMs: 5000,
        failureThreshold: 3,
        successThreshold: 2,
      },
      {
        name: "v6",
        target: { kind: "tcp", host: "::1", port: 6379 },
        intervalMs: 60_000,
        timeoutMs: 5000,
        failureThreshold: 3,
        successThreshold: 2,
      },
    ]);
  });

  it("gives tls monitors 14 days of warning by default", () => {
    const [cert] = parseAppConfig(withSection("monitors: [{ name: c, tls: 'example.com:8443' }]\n")).monitors;
    expect(cert?.target).toEqual({
      kind: "tls",
      host: "example.com",
      port: 8443,
      expiresWithinMs: 14 * 86_400_000,
    });
  });

  it.each([
    ["monitors: { name: x }\n", "monitors: expected a list of monitors"],
    ["monitors: [{ url: 'http://a/' }]\n", "monitors.0.name: is required"],
    ["monitors: [{ name: 'a b', url: 'http://a/' }]\n", "monitors.0.name: expected 1 to 63 letters"],
    ["monitors: [{ name: a }]\n", "monitors.0: needs one of url:, tcp: or tls:"],
    [
      "monitors: [{ name: a, url: 'http://a/', tcp: 'a:1' }]\n",
      "monitors.0: has url and tcp; give exactly one of url:, tcp: or tls:",
    ],
    [
      "monitors: [{ name: a, url: 'ftp://a/' }]\n",
      "monitors.0.url: expected an http:// or https:// URL, got ftp://",
    ],
    [
      "monitors: [{ name: a, url: 'not a url' }]\n",
      "monitors.0.url: expected a URL like https://example.com/",
    ],
    [
      "monitors: [{ name: a, tcp: 'db' }]\n",
      'monitors.0.tcp: expected host:port, like 127.0.0.1:5432 or db.internal:5432, got "db"',
    ],
    ["monitors: [{ name: a, tcp: 'db:99999' }]\n", "monitors.0.tcp: expected host:port"],
    ["monitors: [{ name: a, tls: 'bad host!:443' }]\n", "monitors.0.tls: expected host:port"],
    [
      "monitors: [{ name: a, url: 'http://a/', interval: 10 }]\n",
      "monitors.0.interval: expected a duration like",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', interval: 500ms, timeout: 100ms }]\n",
      "monitors.0.interval: must be at least 1s",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', interval: 5s, timeout: 5s }]\n",
      "monitors.0.timeout: must be shorter than interval",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', failure_threshold: 0 }]\n",
      "monitors.0.failure_threshold: expected a whole number from 1 to 100",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', success_threshold: 1.5 }]\n",
      "monitors.0.success_threshold: expected a whole number",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', expect: { status: 700 } }]\n",
      "monitors.0.expect.status: expected an HTTP status code like 200",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', expect: { body_contains: '' } }]\n",
      "monitors.0.expect.body_contains: must not be empty",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', expect: { max_latency: fast } }]\n",
      "monitors.0.expect.max_latency: expected a duration",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', expect: { staus: 200 } }]\n",
      "monitors.0.expect.staus: unknown key (did you mean status?)",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', intervall: 5s }]\n",
      "monitors.0.intervall: unknown key (did you mean interval?)",
    ],
    [
      "monitors: [{ name: a, tcp: 'a:1', expect: { status: 200 } }]\n",
      "monitors.0.expect: only applies to url: monitors",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/', expires_within: 3d }]\n",
      "monitors.0.expires_within: only applies to tls: monitors",
    ],
    [
      "monitors: [{ name: a, url: 'http://a/' }, { name: b, url: 'http://b/' }, { name: a, tcp: 'x:1' }]\n",
      'monitors.2.name: "a" is already the name of monitors.0; names must be unique',
    ],
    [
      "monitors: [{ name: health, url: 'http://a/' }]\n",
      'monitors.0.name: "health" is the app\'s own health check monitor',
    ],
  ])("%j → %s", (section, message) => {
    expect(configIssues(withSection(section)).join("\n")).toContain(message);
  });

  it("refuses credentials in a URL without repeating them", () => {
    const password = ["hun", "ter", "2"].join("");
    const issues = configIssues(
      withSection(`monitors: [{ name: a, url: 'https://u:${password}@a.example/' }]\n`),
    );
    expect(issues.join("\n")).toContain("monitors.0.url: must not contain a user or password");
    expect(issues.join("\n")).not.toContain(password);
  });

  it("refuses a credential query parameter", () => {
    const token = `t${Date.now()}`;
    const issues = configIssues(
      withSection(`monitors: [{ name: a, url: 'https://a.example/?token=${token}' }]\n`),
    );
    expect(issues.join("\n")).toContain('monitors.0.url: must not carry the credential parameter "token"');
    expect(issues.join("\n")).not.toContain(token);
  });
});

describe("parseHostPort", () => {
  it.each([
    ["127.0.0.1:5432", undefined, { host: "127.0.0.1", port: 5432 }],
    ["DB.Internal:80", undefined, { host: "db.internal", port: 80 }],
    ["[::1]:443", undefined, { host: "::1", port: 443 }],
    ["example.com", 443, { host: "example.com", port: 443 }],
    ["example.com", undefined, undefined],
    ["example.com:0", undefined, undefined],
    ["[not-ip]:1", undefined, undefined],
    ["a b:1", undefined, undefined],
  ])("%s (default %s) → %j", (text, fallback, expected) => {
    expect(parseHostPort(text, fallback)).toEqual(expected);
  });
});

describe("appHealthMonitor", () => {
  it("uses the monitor defaults and the reserved name", () => {
    expect(appHealthMonitor("http://127.0.0.1:3000/health", { intervalMs: 10_000 })).toEqual({
      name: "health",
      target: {
        kind: "http",
        url: "http://127.0.0.1:3000/health",
        expect: { status: undefined, bodyContains: undefined, maxLatencyMs: undefined },
      },
      intervalMs: 10_000,
      timeoutMs: 5000,
      failureThreshold: 3,
      successThreshold: 2,
    });
  });
});
