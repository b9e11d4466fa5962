import { describe, expect, it } from "vitest";
import { isStale, nextDue, parseSchedule, scheduleOf } from "./schedule.js";

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("schedule", () => {
  it.each([
    ["daily", "2026-01-01T10:00:00Z", "2026-01-02T03:00:00.000Z"],
    ["daily", "2026-01-01T02:59:59Z", "2026-01-01T03:00:00.000Z"],
    ["hourly", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00.000Z"],
    ["*/15 * * * *", "2026-01-01T10:07:00Z", "2026-01-01T10:15:00.000Z"],
    ["*/5 * * * * *", "2026-01-01T10:00:01Z", "2026-01-01T10:00:05.000Z"],
  ])("%s after %s runs at %s", (text, after, expected) => {
    expect(scheduleOf(text).next(new Date(after))?.toISOString()).toBe(expected);
  });

  it("a run at exactly the scheduled time is followed by the next one, not itself", () => {
    expect(scheduleOf("daily").next(new Date("2026-01-01T03:00:00Z"))?.toISOString()).toBe(
      "2026-01-02T03:00:00.000Z",
    );
  });

  it.each([
    ["daily", DAY],
    ["hourly", HOUR],
    ["*/10 * * * * *", 10_000],
    // Weekdays: Monday's period reaches back over the weekend.
    ["0 3 * * 1-5", 3 * DAY],
  ])("%s has a period of %d ms on a Monday noon", (text, period) => {
    expect(scheduleOf(text).periodMs(new Date("2026-01-05T12:00:00Z"))).toBe(period);
  });

  it("refuses what is not a schedule, naming why", () => {
    expect(parseSchedule("61 * * * *").problem).toMatch(/minute/);
    expect(parseSchedule("sometimes").problem).toMatch(/^expected `daily`/);
    expect(parseSchedule("0 0 31 2 *").problem).toMatch(/never runs/);
  });

  it("a run missed while the agent was down is due at once; otherwise the next scheduled time", () => {
    const daily = scheduleOf("daily");
    // Last attempted two days ago: its next run (yesterday 03:00) is in the past, so due now.
    expect(nextDue(daily, at("2026-01-01T03:00:05Z"), at("2025-12-01T00:00:00Z"))).toBe(
      at("2026-01-02T03:00:00Z"),
    );
    // Never attempted: counted from when the agent started watching.
    expect(nextDue(daily, undefined, at("2026-01-03T12:00:00Z"))).toBe(at("2026-01-04T03:00:00Z"));
  });

  it.each([
    // newest good backup, now, stale?
    ["2026-01-02T03:00:10Z", "2026-01-02T20:00:00Z", false],
    ["2026-01-02T03:00:10Z", "2026-01-03T14:00:00Z", false],
    ["2026-01-02T03:00:10Z", "2026-01-03T15:00:11Z", true],
    [undefined, "2026-01-03T15:00:01Z", true],
  ])("daily, newest good backup %s, at %s: stale %s", (good, now, stale) => {
    const watching = at("2026-01-02T03:00:00Z");
    expect(isStale(scheduleOf("daily"), good ? at(good) : undefined, watching, at(now))).toBe(stale);
  });
});
