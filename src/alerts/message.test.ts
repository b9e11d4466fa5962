import { describe, expect, it } from "vitest";
import { formatSpan } from "../config/duration.js";
import type { IncidentEventRecord } from "../monitor/monitor-service.js";
import {
  autoRollbackMessage,
  deployFailedMessage,
  describeRelease,
  incidentMessage,
  messageLines,
  testMessage,
} from "./message.js";

const live = { id: "r42", version: "1.4.0", commit: "abc1234def5678" };

function record(
  event: IncidentEventRecord["event"],
  overrides: Partial<IncidentEventRecord> = {},
): IncidentEventRecord {
  return {
    monitorId: "hello/home",
    app: "hello",
    monitor: "home",
    kind: "http",
    target: "https://hello.example.com/",
    event,
    monitorRemoved: false,
    ...overrides,
  };
}

const incident = {
  startedAt: "2025-03-01T12:00:00.000Z",
  openedAt: "2025-03-01T12:02:00.000Z",
  cause: "status 502 (expected 200)",
};

describe("alert messages", () => {
  it("an opened incident says what broke, since when, what is live and how to roll back", () => {
    const m = incidentMessage(record({ type: "opened", incident }), live);
    expect(m).toMatchObject({
      kind: "incident-opened",
      severity: "critical",
      app: "hello",
      title: 'hello: monitor "home" is down',
      since: "2025-03-01T12:00:00.000Z",
      liveRelease: "r42 (1.4.0, abc1234)",
      command: { text: "skiff rollback --app hello" },
      at: "2025-03-01T12:02:00.000Z",
    });
    expect(messageLines(m)).toEqual([
      "Checked: https://hello.example.com/",
      "What broke: status 502 (expected 200)",
      "Since: 2025-03-01 12:00:00Z",
      "Live release: r42 (1.4.0, abc1234)",
      "Fix (switch back to the previous release): skiff rollback --app hello",
    ]);
  });

  it("a resolved incident says how long it lasted", () => {
    const m = incidentMessage(
      record({ type: "resolved", incident, resolvedAt: "2025-03-01T12:07:30.000Z" }),
      live,
    );
    expect(m).toMatchObject({
      kind: "incident-resolved",
      severity: "resolved",
      title: 'hello: monitor "home" is back up',
    });
    expect(m.details).toContain("Was down for 7m 30s; last error: status 502 (expected 200)");
    expect(m.command.text).toBe("skiff rollback --app hello");
  });

  it("a removed monitor's incident is closed in so many words", () => {
    const m = incidentMessage(
      record({ type: "resolved", incident, resolvedAt: incident.openedAt }, { monitorRemoved: true }),
      null,
    );
    expect(m.title).toBe('hello: monitor "home" was removed; its incident is closed');
    expect(m.liveRelease).toBeNull();
    expect(messageLines(m)).toContain("Live release: none");
  });

  it("a TLS monitor failing on expiry is a certificate warning, not an outage", () => {
    const m = incidentMessage(
      record(
        {
          type: "opened",
          incident: { ...incident, cause: "certificate expires in 5 days (2025-03-06T00:00:00.000Z)" },
        },
        { kind: "tls", monitor: "cert", target: "tls hello.example.com:443" },
      ),
      live,
    );
    expect(m).toMatchObject({ kind: "cert-expiring", severity: "warning" });
    expect(m.title).toBe('hello: the TLS certificate checked by "cert" expires soon');
    expect(m.details).toContain("Renew the certificate before it expires; a rollback does not change it.");
  });

  it("a TLS monitor that cannot connect is an outage", () => {
    const m = incidentMessage(
      record({ type: "opened", incident: { ...incident, cause: "connect ECONNREFUSED" } }, { kind: "tls" }),
      live,
    );
    expect(m.kind).toBe("incident-opened");
  });

  it("a TCP monitor (a database beside the app) offers the rollback only if the release caused it", () => {
    const m = incidentMessage(
      record(
        { type: "opened", incident: { ...incident, cause: "connect ECONNREFUSED" } },
        { kind: "tcp", monitor: "db", target: "tcp 127.0.0.1:5432" },
      ),
      live,
    );
    expect(m.command).toEqual({
      label: "If the latest release caused it",
      text: "skiff rollback --app hello",
    });
  });

  it("a failed deploy names the release, the reason and what keeps serving", () => {
    const m = deployFailedMessage({
      app: "hello",
      release: { id: "r43", commit: "9f8e7d6c5b4a" },
      reason: "not healthy after 60s; last check: connection refused",
      startedAt: "2025-03-01T12:00:00.000Z",
      live,
    });
    expect(m.title).toBe("hello: deploy of r43 (9f8e7d6) failed");
    expect(m.details).toEqual([
      "What broke: not healthy after 60s; last check: connection refused",
      "r42 (1.4.0, abc1234) keeps serving",
    ]);
    expect(m.command.text).toBe("skiff rollback --app hello");
  });

  it("a failed deploy to another environment gives the command for that environment", () => {
    const m = deployFailedMessage({
      app: "hello",
      release: { id: "r44", env: "staging" },
      reason: "the build failed (exit code 1)",
      startedAt: "2025-03-01T12:00:00.000Z",
      live: null,
    });
    expect(m.command.text).toBe("skiff rollback --app hello --env staging");
  });

  it("an auto-rollback gives the command that would undo it", () => {
    const m = autoRollbackMessage({
      app: "hello",
      from: { id: "r43" },
      to: live,
      reason: "5xx share 4.0% (8 of 200) over the 1% limit",
      switchedAt: "2025-03-01T12:00:00.000Z",
    });
    expect(m.title).toBe("hello: r43 was rolled back automatically");
    expect(m.liveRelease).toBe("r42 (1.4.0, abc1234)");
    expect(m.command.text).toBe("skiff rollback --app hello --to r43");
  });

  it("a test message is marked as a test", () => {
    const m = testMessage("hello", null);
    expect(m).toMatchObject({
      kind: "test",
      severity: "info",
      title: "hello: test alert from skiff",
      since: null,
    });
  });

  it("never carries credentials that slipped into an error text", () => {
    const password = ["pa", "ss", "word", Date.now()].join("");
    const m = incidentMessage(
      record({
        type: "opened",
        incident: { ...incident, cause: `redirect to https://admin:${password}@h.example/` },
      }),
      live,
    );
    expect(JSON.stringify(m)).not.toContain(password);
    expect(m.details).toContain("What broke: redirect to https://***@h.example/");
  });
});

describe("helpers", () => {
  it.each([
    [{ id: "r1" }, "r1"],
    [{ id: "r1", version: "2.0.0" }, "r1 (2.0.0)"],
    [{ id: "r1", commit: "0123456789" }, "r1 (0123456)"],
  ])("describeRelease(%j) → %s", (release, text) => expect(describeRelease(release)).toBe(text));

  it.each([
    [0, "0ms"],
    [265, "265ms"],
    [4_250, "4.3s"],
    [59_000, "59s"],
    [61_000, "1m 1s"],
    [3_600_000 * 3 + 60_000 * 5, "3h 5m"],
    [86_400_000 * 3 + 3_600_000, "3d 1h"],
  ])("formatSpan(%d) → %s", (ms, text) => expect(formatSpan(ms)).toBe(text));
});
