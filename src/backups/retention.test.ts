import { describe, expect, it } from "vitest";
import type { KeepPolicy } from "./config.js";
import { backupsToPrune, type StoredBackup } from "./retention.js";

const DAY = 86_400_000;
const NOW = 100 * DAY;

/** One backup per day, the newest `days[0]` days ago; `bad` lists the ids that failed verification. */
function daily(ages: number[], bad: string[] = []): StoredBackup[] {
  return ages.map((age, i) => ({
    id: `b${ages.length - i}`,
    createdAt: NOW - age * DAY,
    good: !bad.includes(`b${ages.length - i}`),
  }));
}

const age = (days: number, min = 7): KeepPolicy => ({ kind: "age", ms: days * DAY, min });
const count = (n: number): KeepPolicy => ({ kind: "count", count: n });

describe("backupsToPrune", () => {
  it.each<[string, StoredBackup[], KeepPolicy, string[]]>([
    ["nothing older than 30 days", daily([0, 1, 2, 29]), age(30), []],
    // b1 is 40 days old, beyond the newest 7: it goes.
    ["older than 30 days, beyond the newest 7", daily([0, 1, 2, 3, 4, 5, 6, 40]), age(30), ["b1"]],
    // Only 7 backups, all old (the schedule stopped): the newest 7 stay anyway.
    ["the newest 7 always stay", daily([50, 51, 52, 53, 54, 55, 56]), age(30), []],
    ["the 8th old one goes", daily([50, 51, 52, 53, 54, 55, 56, 57]), age(30), ["b1"]],
    ["a count keeps the newest N", daily([0, 1, 2, 3, 4]), count(2), ["b1", "b2", "b3"]],
    // The two newest failed verification: the newest good one (b3) survives a count of 2.
    ["never the last good backup (count)", daily([0, 1, 2, 3], ["b4", "b3"]), count(2), ["b1"]],
    [
      "never the last good backup (age)",
      daily([40, 41, 42, 43, 44, 45, 46, 47, 48], ["b9", "b8", "b7", "b6", "b5", "b4", "b3", "b2"]),
      age(30),
      // b2 is beyond the newest 7 and old, so it goes; b1 is the only good one and stays.
      ["b2"],
    ],
    ["bad backups are pruned like the rest", daily([0, 1, 2], ["b1"]), count(2), ["b1"]],
    ["no backups", [], count(1), []],
  ])("%s", (_name, backups, keep, expected) => {
    expect(backupsToPrune(backups, keep, NOW)).toEqual(expected);
  });
});
