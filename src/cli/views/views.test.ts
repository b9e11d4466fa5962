import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AlertsTestResponse } from "../../alerts/alerts-test-api.js";
import { SilentExit, UsageError } from "../../errors.js";
import { computeDora } from "../../metrics/dora.js";
import type { DeliveryMetricsResponse } from "../../metrics/metrics-api.js";
import type { IncidentsResponse } from "../../monitor/incidents-api.js";
import type { CertsResponse } from "../../tls/certs-api.js";
import { Output } from "../output.js";
import { printAlertsTest } from "./alerts-test.js";
import { printCerts } from "./certs.js";
import { incidentRows, printIncidents } from "./incidents.js";
import { metricsRows, parseSinceFlag, printMetrics } from "./metrics.js";

let stdout: string[];
let stderr: string[];
beforeEach(() => {
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const printed = () => stdout.join("").split("\n").filter(Boolean);

const incidents: IncidentsResponse = {
  incidents: [
    {
      id: "7",
      app: "hello",
      monitor: "home",
      target: "https://hello.example.com/",
      startedAt: "2025-03-01T12:00:00.000Z",
      openedAt: "2025-03-01T12:02:00.000Z",
      resolvedAt: "2025-03-01T12:07:30.000Z",
      durationMs: 450_000,
      cause: "status 502 (expected 200)",
      release: "r42",
      acknowledgedAt: null,
      acknowledgedBy: null,
    },
    {
      id: "8",
      app: "hello",
      monitor: "db",
      target: "tcp 127.0.0.1:5432",
      startedAt: "2025-03-02T08:00:00.000Z",
      openedAt: "2025-03-02T08:01:00.000Z",
      resolvedAt: null,
      durationMs: null,
      cause: "connect ECONNREFUSED 127.0.0.1:5432",
      release: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
    },
  ],
};

describe("skiff incidents", () => {
  const now = new Date("2025-03-02T09:30:00.000Z");

  it("lists newest first, open ones with how long they have been open", () => {
    expect(incidentRows(incidents.incidents, now)).toEqual([
      ["8", "hello", "db", "2025-03-02 08:00:00Z", "open 1h 30m", "-", "connect ECONNREFUSED 127.0.0.1:5432"],
      ["7", "hello", "home", "2025-03-01 12:00:00Z", "7m 30s", "r42", "status 502 (expected 200)"],
    ]);
  });

  it("prints a table for people", () => {
    printIncidents(new Output(), incidents, { now });
    const lines = printed();
    expect(lines[0]).toMatch(/^ID\s+APP\s+MONITOR\s+STARTED\s+DURATION\s+RELEASE\s+CAUSE$/);
    expect(lines[1]).toMatch(
      /^8\s+hello\s+db\s+2025-03-02 08:00:00Z\s+open 1h 30m\s+-\s+connect ECONNREFUSED/,
    );
    expect(lines).toHaveLength(3);
  });

  it.each([
    [false, "No incidents."],
    [true, "No open incidents."],
  ])("says so when there are none (open only: %s)", (open, text) => {
    printIncidents(new Output(), { incidents: [] }, { open });
    expect(printed()).toEqual([text]);
  });

  it("prints exactly the response with --json", () => {
    printIncidents(new Output({ json: true }), incidents);
    expect(JSON.parse(stdout.join(""))).toEqual(incidents);
  });
});

describe("skiff alerts test", () => {
  const body: AlertsTestResponse = {
    app: "hello",
    results: [
      {
        channel: "slack",
        kind: "slack",
        messageKind: "test",
        app: "hello",
        ok: true,
        attempts: 1,
        durationMs: 120,
      },
      {
        channel: "webhook-2",
        kind: "webhook",
        messageKind: "test",
        app: "hello",
        ok: false,
        attempts: 1,
        durationMs: 15,
        error: "HTTP 500",
      },
    ],
    problems: [
      "alerts.email.smtp_url_env: SMTP_URL is not set in the agent's secret store or environment (skiff secrets set SMTP_URL)",
    ],
  };

  it("reports each channel and fails when one did", () => {
    expect(() => printAlertsTest(new Output(), body)).toThrow(SilentExit);
    expect(printed()).toEqual([
      "✓ slack      120ms",
      "✗ webhook-2  15ms  HTTP 500 (1 try)",
      "✗ not set up  alerts.email.smtp_url_env: SMTP_URL is not set in the agent's secret store or environment (skiff secrets set SMTP_URL)",
    ]);
  });

  it("succeeds when every channel took the message", () => {
    expect(() =>
      printAlertsTest(new Output(), { ...body, results: [body.results[0]!], problems: [] }),
    ).not.toThrow();
  });

  it("fails, with a pointer to the docs, when there is no channel at all", () => {
    expect(() => printAlertsTest(new Output(), { app: "hello", results: [], problems: [] })).toThrow(
      SilentExit,
    );
    expect(printed()[0]).toContain("hello has no alert channels; add some under `alerts:`");
  });

  it("prints the response with --json and still exits 1 on a failure", () => {
    let exit: unknown;
    try {
      printAlertsTest(new Output({ json: true }), body);
    } catch (error) {
      exit = error;
    }
    expect((exit as SilentExit).exitCode).toBe(1);
    expect(JSON.parse(stdout.join(""))).toEqual(body);
  });
});

describe("skiff metrics", () => {
  const H = 3_600_000;
  const T0 = Date.UTC(2025, 0, 1);
  const at = (ms: number) => new Date(T0 + ms).toISOString();
  const body: DeliveryMetricsResponse = {
    app: "hello",
    report: computeDora({
      since: new Date(T0),
      until: new Date(T0 + 30 * 24 * H),
      deploys: [
        {
          app: "hello",
          startedAt: at(H),
          finishedAt: at(H + 40_000),
          outcome: "live",
          trigger: "deploy",
          commitTime: at(-2 * H),
          wentLiveAt: at(H + 30_000),
        },
        {
          app: "hello",
          startedAt: at(50 * H),
          finishedAt: at(50 * H + 20_000),
          outcome: "rolled-back",
          trigger: "deploy",
          commitTime: at(49 * H),
          wentLiveAt: at(50 * H + 10_000),
        },
      ],
      incidents: [{ startedAt: at(51 * H), openedAt: at(51 * H), resolvedAt: at(51 * H + 600_000) }],
    }),
  };

  it("shows the four keys with their bands and the extra numbers", () => {
    expect(metricsRows(body)).toEqual([
      ["hello, last 30 days", "2025-01-01 → 2025-01-31", undefined],
      ["Deployment frequency", "2 deploys, 0.47/week", "medium"],
      ["Lead time for changes", "2h 0m (median of 2)", "elite"],
      ["Change failure rate", "50% (1 of 2)", "low"],
      ["Time to restore", "10m 0s (median of 1)", "elite"],
      ["Mean deploy duration", "30s", undefined],
      ["Rollbacks", "0", undefined],
      ["Incidents per week", "0.23", undefined],
    ]);
  });

  it("prints aligned lines for people", () => {
    printMetrics(new Output(), body);
    const lines = printed();
    expect(lines[1]).toBe("  Deployment frequency    2 deploys, 0.47/week              medium");
    expect(lines.at(-1)).toContain("docs/metrics.md");
  });

  it("says n/a where there is nothing to measure", () => {
    const empty = {
      app: null,
      report: computeDora({
        since: new Date(T0),
        until: new Date(T0 + 7 * 24 * H),
        deploys: [],
        incidents: [],
      }),
    };
    expect(metricsRows(empty).map((r) => [r[0], r[1], r[2]])).toEqual([
      ["All apps, last 7 days", "2025-01-01 → 2025-01-08", undefined],
      ["Deployment frequency", "0 deploys, 0/week", "low"],
      ["Lead time for changes", "no deploys with a commit time", null],
      ["Change failure rate", "no deploys went live", null],
      ["Time to restore", "no resolved incidents", null],
      ["Mean deploy duration", "-", undefined],
      ["Rollbacks", "0", undefined],
      ["Incidents per week", "0", undefined],
    ]);
    printMetrics(new Output(), empty);
    expect(printed()[2]).toMatch(/Lead time for changes\s+no deploys with a commit time\s+n\/a$/);
  });

  it("prints the response with --json", () => {
    printMetrics(new Output({ json: true }), body);
    expect(JSON.parse(stdout.join(""))).toEqual(body);
  });

  it.each([
    ["30d", 30 * 24 * H],
    ["12h", 12 * H],
    ["90m", 90 * 60_000],
  ])("--since %s → %d ms", (text, ms) => expect(parseSinceFlag(text)).toBe(ms));

  it.each(["", "30", "forever", "0d"])("--since %j is a usage error naming the flag", (text) => {
    expect(() => parseSinceFlag(text)).toThrow(UsageError);
    expect(() => parseSinceFlag(text)).toThrow(/^--since: expected a duration like 30d/);
  });
});

describe("printCerts", () => {
  const base = {
    app: "hello",
    env: "production",
    notBefore: "2025-03-01T00:00:00.000Z",
    failures: 0,
    nextAttemptAt: null,
    problem: null,
  };
  const body: CertsResponse = {
    enabled: true,
    listen: "0.0.0.0:443",
    directory: "https://acme-v02.api.letsencrypt.org/directory",
    certificates: [
      {
        ...base,
        host: "hello.example.com",
        source: "acme",
        issuer: "R11",
        notAfter: "2025-05-30T00:00:00.000Z",
        renewAt: "2025-04-30T00:00:00.000Z",
        lastAttempt: { at: "2025-03-01T00:00:05.000Z", ok: true, error: null },
      },
      {
        ...base,
        host: "pr-1.preview.example.com",
        env: "preview:pr-1",
        source: "none",
        issuer: null,
        notBefore: null,
        notAfter: null,
        renewAt: null,
        lastAttempt: { at: "2025-03-02T00:00:00.000Z", ok: false, error: "DNS problem: NXDOMAIN" },
        failures: 2,
        nextAttemptAt: "2025-03-02T00:10:00.000Z",
      },
    ],
  };

  it("prints a row per host and says why a host has no certificate", () => {
    printCerts(new Output(), body);
    expect(printed()).toEqual([
      "HOST                      APP                 SOURCE  ISSUER  EXPIRES               RENEWS                LAST ATTEMPT",
      "hello.example.com         hello               acme    R11     2025-05-30 00:00:00Z  2025-04-30 00:00:00Z  2025-03-01 00:00:05Z ok",
      "pr-1.preview.example.com  hello/preview:pr-1  none    -       -                     -                     2025-03-02 00:00:00Z failed (2 in a row)",
    ]);
    expect(stderr.join("")).toContain(
      "pr-1.preview.example.com: DNS problem: NXDOMAIN (next attempt 2025-03-02 00:10:00Z)",
    );
  });

  it("--json prints the API's answer as it is", () => {
    printCerts(new Output({ json: true }), body);
    expect(JSON.parse(stdout.join(""))).toEqual(body);
  });

  it("says how to turn HTTPS on when it is off", () => {
    printCerts(new Output(), { enabled: false, listen: null, directory: null, certificates: [] });
    expect(printed()).toEqual([
      "HTTPS is off on this agent: start it with --tls-listen 0.0.0.0:443 (see docs/tls.md).",
    ]);
  });
});
