import { describe, expect, it } from "vitest";
import { computeDora, type DeployRecord } from "../../metrics/dora.js";
import { doraSeries, MAX_POINTS, thin } from "./dora-series.js";

const DAY = 86_400_000;
const since = Date.parse("2025-03-01T00:00:00Z");
const at = (day: number, hours = 0) => new Date(since + day * DAY + hours * 3_600_000).toISOString();

function deploy(day: number, over: Partial<DeployRecord> = {}): DeployRecord {
  return {
    app: "hello",
    env: "production",
    startedAt: at(day, 1),
    finishedAt: at(day, 1.01),
    outcome: "superseded",
    trigger: "cli",
    commitTime: at(day, 0),
    wentLiveAt: at(day, 1.01),
    ...over,
  };
}

describe("the delivery charts' series", () => {
  const deploys: DeployRecord[] = [
    deploy(0),
    deploy(0, { outcome: "rolled-back" }),
    deploy(2, { outcome: "failed", wentLiveAt: null }),
    deploy(2, { trigger: "rollback" }), // a rollback is not a change
    deploy(2, { env: "staging" }), // nor a deploy to staging
    deploy(3, { commitTime: null, outcome: "live" }),
    deploy(-1), // before the window
  ];
  const incidents = [
    { startedAt: at(1), openedAt: at(1, 0.1), resolvedAt: at(1, 0.5) },
    { startedAt: at(3), openedAt: at(3, 0.1), resolvedAt: null },
  ];
  const until = since + 4 * DAY;
  const series = doraSeries({ deploys, incidents, since, until });

  it("counts each day's changes that went live, failed in production, or failed before going live", () => {
    expect(series.days).toEqual([0, 1, 2, 3].map((d) => (since + d * DAY) / 1000));
    expect(series.wentLive).toEqual([2, 0, 0, 1]);
    expect(series.failedInProduction).toEqual([1, 0, 0, 0]);
    expect(series.failedBeforeLive).toEqual([0, 0, 1, 0]);
  });

  it("plots lead times, deploy durations and restore times as points in time order", () => {
    expect(series.leadTime.map(([, ms]) => ms)).toEqual([1.01 * 3_600_000, 1.01 * 3_600_000]);
    expect(series.deployDuration).toHaveLength(4);
    expect(series.timeToRestore).toEqual([[Date.parse(at(1, 0.5)) / 1000, 0.5 * 3_600_000]]);
  });

  it("agrees with the report the CLI prints for the same records", () => {
    const report = computeDora({ deploys, incidents, since: new Date(since), until: new Date(until) });
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(series.wentLive)).toBe(report.deploymentFrequency.deploys);
    expect(sum(series.failedInProduction)).toBe(report.changeFailureRate.failed);
    expect(series.leadTime).toHaveLength(report.leadTime.samples);
    expect(series.timeToRestore).toHaveLength(report.timeToRestore.resolved);
  });
});

describe("thinning points", () => {
  it("keeps a few points as they are, in time order", () => {
    expect(
      thin(
        [
          [30, 1],
          [10, 2],
          [20, 3],
        ],
        0,
        100_000,
      ),
    ).toEqual([
      [10, 2],
      [20, 3],
      [30, 1],
    ]);
  });

  it("turns many points into one median per slice of the window", () => {
    const points: Array<[number, number]> = Array.from({ length: 10 * MAX_POINTS }, (_, i) => [i, i % 10]);
    const thinned = thin(points, 0, 10 * MAX_POINTS * 1000);
    expect(thinned).toHaveLength(MAX_POINTS);
    expect(thinned[0]).toEqual([5, 5]);
    expect(thinned.every(([, y]) => y === 5)).toBe(true);
  });
});
