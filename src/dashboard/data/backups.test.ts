import { describe, expect, it } from "vitest";
import type { BackupSpec } from "../../backups/config.js";
import { scheduleOf } from "../../backups/schedule.js";
import { parseAppConfig } from "../../config/load.js";
import type { BackupRecord, BackupStatus } from "../../store/backups.js";
import { databaseBackups, describeDestination, RECENT_BACKUPS, restoreCommand } from "./backups.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 2, 10, 12);

function specs(yaml: string): BackupSpec[] {
  return parseAppConfig(`app: notes\nstart: node server.js\nbackups:\n${yaml}`).backups;
}

let seq = 0;
function record(
  status: BackupStatus,
  agoMs: number,
  name = "db",
  extra: Partial<BackupRecord> = {},
): BackupRecord {
  seq += 1;
  return {
    app: "notes",
    id: `b${seq}`,
    env: "production",
    name,
    kind: "sqlite",
    trigger: "schedule",
    release: null,
    status,
    keySecret: null,
    bytes: status === "failed" ? null : 4096,
    sha256: status === "failed" ? null : "ab".repeat(32),
    tables: null,
    locations:
      status === "failed" ? [] : [{ kind: "local", path: `/data/backups/notes/production/db/b${seq}` }],
    verifyNote: status === "bad" ? "row counts differ" : null,
    error: status === "failed" ? "disk full" : null,
    createdAt: NOW - agoMs,
    finishedAt: status === "running" ? null : NOW - agoMs + 1000,
    durationMs: status === "running" ? null : 1000,
    prunedAt: null,
    ...extra,
  };
}

const DAILY = specs("  - sqlite: data/app.db\n");

describe("a database's backups panel", () => {
  // records: newest first, as the ledger lists them.
  it.each([
    {
      case: "all good: nothing loud",
      records: () => [record("good", 9 * HOUR), record("good", 33 * HOUR)],
      expected: { failing: false, stale: false, lastFailure: null, restore: "skiff restore b1 --app notes" },
    },
    {
      case: "the newest attempt failed: loud, with the last good one",
      records: () => [record("failed", 9 * HOUR), record("good", 33 * HOUR)],
      expected: { failing: true, stale: false, lastFailure: "b1", restore: "skiff restore b2 --app notes" },
    },
    {
      case: "failed verification counts as failing",
      records: () => [record("bad", 9 * HOUR), record("good", 33 * HOUR)],
      expected: { failing: true, stale: false, lastFailure: "b1", restore: "skiff restore b2 --app notes" },
    },
    {
      case: "failing silently for weeks: failing and stale, nothing to restore",
      records: () => Array.from({ length: 21 }, (_, i) => record("failed", 9 * HOUR + i * DAY)),
      expected: { failing: true, stale: true, lastFailure: "b1", restore: null },
    },
    {
      case: "an old failure since recovered: remembered, not loud",
      records: () => [record("good", 9 * HOUR), record("failed", 33 * HOUR)],
      expected: { failing: false, stale: false, lastFailure: "b2", restore: "skiff restore b1 --app notes" },
    },
    {
      case: "a backup running after a failure: still failing until it ends",
      records: () => [record("running", 0), record("failed", 9 * HOUR), record("good", 33 * HOUR)],
      expected: { failing: true, stale: false, lastFailure: "b2", restore: "skiff restore b3 --app notes" },
    },
    {
      case: "good backups that stopped two days ago: stale",
      records: () => [record("good", 2 * DAY + 9 * HOUR)],
      expected: { failing: false, stale: true, lastFailure: null, restore: "skiff restore b1 --app notes" },
    },
  ])("$case", ({ records, expected }) => {
    seq = 0;
    const [db] = databaseBackups("notes", "production", DAILY, records(), NOW - 60 * DAY, NOW);
    expect({
      failing: db!.failing,
      stale: db!.stale,
      lastFailure: db!.lastFailure?.id ?? null,
      restore: db!.restoreCommand,
    }).toEqual(expected);
  });

  it("shows the newest five, of its own database only, as the API shapes them", () => {
    seq = 0;
    const records = [
      record("good", HOUR, "other"),
      ...Array.from({ length: 8 }, (_, i) => record("good", (i + 2) * HOUR)),
    ];
    const [db] = databaseBackups("notes", "production", DAILY, records, NOW - DAY, NOW);
    expect(db!.recent.map((b) => b.id)).toEqual(["b2", "b3", "b4", "b5", "b6"]);
    expect(db!.recent).toHaveLength(RECENT_BACKUPS);
    expect(db!.recent[0]).toMatchObject({ verified: true, bytes: 4096, durationMs: 1000 });
    expect(db!.recent[0]!.locations).toEqual(["/data/backups/notes/production/db/b2"]);
  });

  // `daily` is 03:00 on the agent's clock (its time zone): the expected times come from the schedule.
  const daily = (from: number) => scheduleOf("daily").next(new Date(from))!.getTime();
  it.each([
    ["counted from the last attempt", [record("good", 9 * HOUR)], NOW - 60 * DAY, daily(NOW - 9 * HOUR)],
    ["never attempted: counted from when it went live", [], NOW - 3 * DAY, daily(NOW - 3 * DAY)],
    ["no live release: not scheduled", [record("good", 9 * HOUR)], null, null],
  ])("the next run: %s", (_, records, watchingSince, expected) => {
    const [db] = databaseBackups("notes", "production", DAILY, records, watchingSince, NOW);
    expect(db!.nextRunAt).toBe(expected);
  });

  it("a run missed while the agent was down is due now (a time past)", () => {
    const [db] = databaseBackups(
      "notes",
      "production",
      DAILY,
      [record("good", 3 * DAY)],
      NOW - 60 * DAY,
      NOW,
    );
    expect(db!.nextRunAt).toBeLessThan(NOW);
  });

  it("describes where copies go and how long they stay, without secret names", () => {
    const [db] = databaseBackups(
      "notes",
      "staging",
      specs(`  - name: main
    postgres_url_secret: DATABASE_URL
    schedule: "0 * * * *"
    keep: 14
    encryption: { key_secret: BACKUP_KEY }
    to:
      - local
      - s3: { bucket: my-backups, prefix: skiff, endpoint: "http://127.0.0.1:9000", access_key_id_secret: S3_ID, secret_access_key_secret: S3_KEY }
`),
      [],
      NOW - DAY,
      NOW,
    );
    expect(db).toMatchObject({
      name: "main",
      kind: "postgres",
      schedule: "0 * * * *",
      destinations: ["local", "s3://my-backups/skiff/ (http://127.0.0.1:9000)"],
      keep: "the newest 14",
      encrypted: true,
      lastGoodAt: null,
      restoreCommand: null,
    });
    expect(JSON.stringify(db)).not.toMatch(/S3_ID|S3_KEY|BACKUP_KEY|DATABASE_URL/);
  });

  it.each([
    [{ kind: "local" } as const, "local"],
    [
      {
        kind: "s3",
        endpoint: undefined,
        bucket: "b",
        prefix: "",
        region: "us-east-1",
        accessKeyIdSecret: "A",
        secretAccessKeySecret: "B",
        pathStyle: false,
      } as const,
      "s3://b/",
    ],
  ])("destination %j → %s", (destination, expected) => {
    expect(describeDestination(destination)).toBe(expected);
  });

  it.each([
    ["production", "skiff restore b7 --app notes"],
    ["staging", "skiff restore b7 --app notes --env staging"],
  ])("the restore command in %s", (env, expected) => {
    expect(restoreCommand("notes", env, "b7")).toBe(expected);
  });
});
