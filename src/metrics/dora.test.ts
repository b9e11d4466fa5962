import { describe, expect, it } from "vitest";
import { BANDS, band, computeDora, type DeployRecord, type IncidentRecord, median } from "./dora.js";

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2025, 0, 1);
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function deploy(startMs: number, fields: Partial<DeployRecord> = {}): DeployRecord {
  return {
    app: "hello",
    startedAt: iso(startMs),
    finishedAt: iso(startMs + 30_000),
    outcome: "superseded",
    trigger: "deploy",
    commitTime: iso(startMs - 2 * H),
    wentLiveAt: iso(startMs + 20_000),
    ...fields,
  };
}

/** Failing since `startMs`; opened after three failed checks a minute apart, as an incident is. */
const incident = (startMs: number, durationMs: number | null): IncidentRecord => ({
  startedAt: iso(startMs),
  openedAt: iso(startMs + 2 * 60_000),
  resolvedAt: durationMs === null ? null : iso(startMs + durationMs),
});

const window30 = { since: new Date(T0), until: new Date(T0 + 30 * D) };

describe("computeDora", () => {
  it("computes the four keys and the extras over a window", () => {
    const report = computeDora({
      ...window30,
      deploys: [
        deploy(1 * D), // lead time 2h 20s
        deploy(2 * D, { commitTime: iso(2 * D - 26 * H) }), // 26h 20s
        deploy(3 * D, { outcome: "rolled-back", commitTime: iso(3 * D - 30 * H) }), // 30h 20s, failed in production
        deploy(4 * D, { outcome: "failed", wentLiveAt: null, finishedAt: iso(4 * D + 90_000) }), // never went live
        deploy(5 * D, { outcome: "live", commitTime: null }), // no commit time: no lead time sample
        deploy(3 * D + H, { trigger: "rollback", commitTime: null }),
        deploy(40 * D), // outside the window
      ],
      incidents: [
        incident(1 * D, 10 * 60_000),
        incident(2 * D, 50 * 60_000),
        incident(3 * D, 2 * H),
        incident(4 * D, null),
        incident(-D, H),
      ],
    });
    expect(report).toEqual({
      since: "2025-01-01T00:00:00.000Z",
      until: "2025-01-31T00:00:00.000Z",
      days: 30,
      deploymentFrequency: { deploys: 4, perDay: 0.133, perWeek: 0.93, band: "medium" },
      leadTime: { medianMs: 26 * H + 20_000, samples: 3, band: "high" },
      changeFailureRate: { failed: 1, total: 4, rate: 0.25, band: "low" },
      timeToRestore: { medianMs: 50 * 60_000, resolved: 3, open: 1, band: "elite" },
      meanDeployDurationMs: 42_000, // (30s × 4 + 90s) / 5
      rollbacks: 1,
      incidentsPerWeek: 0.93,
    });
  });

  it("reports no band where there is nothing to measure", () => {
    const report = computeDora({ ...window30, deploys: [], incidents: [] });
    expect(report.deploymentFrequency).toEqual({ deploys: 0, perDay: 0, perWeek: 0, band: "low" });
    expect(report.leadTime).toEqual({ medianMs: null, samples: 0, band: null });
    expect(report.changeFailureRate).toEqual({ failed: 0, total: 0, rate: null, band: null });
    expect(report.timeToRestore).toEqual({ medianMs: null, resolved: 0, open: 0, band: null });
    expect(report.meanDeployDurationMs).toBeNull();
  });

  it("an elite week: several deploys a day, fast lead time, no failures", () => {
    const deploys = Array.from({ length: 21 }, (_, i) =>
      deploy(i * 8 * H, { commitTime: iso(i * 8 * H - 15 * 60_000) }),
    );
    const report = computeDora({ since: new Date(T0), until: new Date(T0 + 7 * D), deploys, incidents: [] });
    expect(report.deploymentFrequency).toMatchObject({ deploys: 21, perDay: 3, band: "elite" });
    expect(report.leadTime.band).toBe("elite");
    expect(report.changeFailureRate).toMatchObject({ rate: 0, band: "elite" });
  });
});

describe("band", () => {
  it.each([
    // value, limits, direction, band
    [2, BANDS.deploymentFrequencyPerDay, "atLeast", "elite"],
    [1, BANDS.deploymentFrequencyPerDay, "atLeast", "elite"],
    [0.5, BANDS.deploymentFrequencyPerDay, "atLeast", "high"],
    [1 / 7, BANDS.deploymentFrequencyPerDay, "atLeast", "high"],
    [0.1, BANDS.deploymentFrequencyPerDay, "atLeast", "medium"],
    [0.01, BANDS.deploymentFrequencyPerDay, "atLeast", "low"],
    [H, BANDS.leadTimeMs, "below", "elite"],
    [D, BANDS.leadTimeMs, "below", "high"],
    [8 * D, BANDS.leadTimeMs, "below", "medium"],
    [31 * D, BANDS.leadTimeMs, "below", "low"],
    [0.05, BANDS.changeFailureRate, "atMost", "elite"],
    [0.06, BANDS.changeFailureRate, "atMost", "high"],
    [0.15, BANDS.changeFailureRate, "atMost", "medium"],
    [0.16, BANDS.changeFailureRate, "atMost", "low"],
    [59 * 60_000, BANDS.timeToRestoreMs, "below", "elite"],
    [H, BANDS.timeToRestoreMs, "below", "high"],
    [2 * D, BANDS.timeToRestoreMs, "below", "medium"],
    [7 * D, BANDS.timeToRestoreMs, "below", "low"],
  ] as const)("%d against %j (%s) → %s", (value, limits, direction, expected) => {
    expect(band(value, limits, direction)).toBe(expected);
  });
});

describe("median", () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 3], // (2 + 3) / 2 rounded
  ])("%j → %s", (values, expected) => expect(median(values)).toBe(expected));
});
