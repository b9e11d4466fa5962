import { readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type SqliteWriter, startSqliteWriter } from "../../bench/support/sqlite-writer.js";
import { useBackupHarness } from "./test-support/harness.js";

const harness = useBackupHarness();
const writers: SqliteWriter[] = [];
afterEach(() => {
  for (const writer of writers.splice(0)) writer.kill();
});

const APP = `app: shop
start: node server.js
backups:
  - sqlite: data/app.db
    keep: 3
environments:
  staging:
    host: staging.example.com
`;

/** A database with `rows` rows in `items`, written and closed. */
function seed(file: string, rows: number): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO items (body) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`item ${i}`);
  })();
  db.close();
}

function count(file: string, table = "items"): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe("SQLite backups", () => {
  it("backs up an app writing hundreds of rows a second: every backup verifies, counts grow, no write fails", async () => {
    const h = harness(APP);
    const writer = startSqliteWriter(h.storagePath("data/app.db"), 500);
    writers.push(writer);
    await writer.ready;
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [record] = await h.service.backUp({ app: "shop", trigger: "manual" });
      expect(record!.status, record!.error ?? record!.verifyNote ?? "").toBe("good");
      expect(record!.verifyNote).toMatch(/integrity_check ok/);
      counts.push(record!.tables!.items!);
    }
    const report = await writer.stop();
    expect(report.errors, report.firstError ?? "").toBe(0);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
    expect(counts.at(-1)).toBeGreaterThan(counts[0]!);
    expect(report.inserted).toBeGreaterThanOrEqual(counts.at(-1)!);
    // keep: 3 — the two oldest copies are gone, from disk and from the list.
    expect(readdirSync(h.dataDir.backupsDir("shop", "production", "db"))).toHaveLength(3);
    expect(h.service.list({ app: "shop" }).map((b) => b.id)).toEqual(["b5", "b4", "b3"]);
    const metrics = await h.metrics.metrics();
    expect(metrics).toMatch(
      /skiff_backup_last_success_timestamp_seconds\{app="shop",env="production",database="db"\} \d/,
    );
    expect(metrics).toMatch(
      /skiff_backups_total\{app="shop",env="production",database="db",outcome="good"\} 5/,
    );
    expect(h.alerts).toEqual([]);
  });

  it("restores into the live database after a safety backup: the rows are back, what was there is kept", async () => {
    const h = harness(APP);
    const file = h.storagePath("data/app.db");
    seed(file, 100);
    const [b1] = await h.service.backUp({ app: "shop", trigger: "manual" });
    const db = new Database(file);
    db.exec("DELETE FROM items WHERE id > 40");
    db.close();
    const result = await h.service.restore({ app: "shop", id: b1!.id, requestedBy: "tester" });
    expect(count(file)).toBe(100);
    expect(result.safety?.status).toBe("good");
    expect(result.safety?.trigger).toBe("safety");
    expect(result.safety?.tables).toEqual({ items: 40 });
    expect(h.store.events.list("shop").find((e) => e.name === "restored")?.message).toMatch(
      /b1 .* restored into production; what was there before is b2/,
    );
  });

  it("restores into another environment (a test restore to staging)", async () => {
    const h = harness(APP);
    seed(h.storagePath("data/app.db"), 25);
    const [b1] = await h.service.backUp({ app: "shop", trigger: "manual" });
    const result = await h.service.restore({ app: "shop", id: b1!.id, env: "staging" });
    expect(count(h.storagePath("data/app.db", "staging"))).toBe(25);
    // Staging had no database yet: nothing to keep.
    expect(result.safety).toBeNull();
  });

  it("a truncated archive fails verification, is alerted, and is refused for restore without --force", async () => {
    const h = harness(APP);
    seed(h.storagePath("data/app.db"), 500);
    const [b1] = await h.service.backUp({ app: "shop", trigger: "manual" });
    const copy = join(
      h.dataDir.backupsDir("shop", "production", "db"),
      readdirSync(h.dataDir.backupsDir("shop", "production", "db"))[0]!,
    );
    truncateSync(copy, Math.floor(b1!.bytes! / 2));
    const checked = await h.service.verify("shop", b1!.id);
    expect(checked.status).toBe("bad");
    expect(checked.verifyNote).toMatch(/cannot read backup b1/);
    expect(h.alerts.map((a) => [a.kind, a.title])).toEqual([
      ["backup-failed", 'shop: database "db": backup b1 failed verification'],
    ]);
    await expect(h.service.restore({ app: "shop", id: "b1" })).rejects.toThrow(/b1 failed verification/);
  });

  it("a backup that cannot be taken is recorded as failed and alerted at once", async () => {
    const h = harness(APP);
    const [record] = await h.service.backUp({ app: "shop", trigger: "schedule" });
    expect(record!.status).toBe("failed");
    expect(record!.error).toMatch(/app\.db/);
    expect(h.alerts[0]?.title).toBe('shop: database "db": backup b1 failed');
    expect(h.alerts[0]?.command.text).toBe("skiff backup --app shop --db db");
    await expect(h.service.restore({ app: "shop", id: "b1" })).rejects.toThrow(
      /b1 failed and has no archive/,
    );
  });

  it("encrypts with the age key from a secret; restore without that key refuses clearly", async () => {
    const { generateIdentity } = await import("age-encryption");
    const h = harness(
      `${APP.replace("    keep: 3\n", "    keep: 3\n    encryption: { key_secret: BACKUP_KEY }\n")}`,
    );
    seed(h.storagePath("data/app.db"), 10);
    const [refused] = await h.service.backUp({ app: "shop", trigger: "manual" });
    expect(refused!.error).toMatch(/BACKUP_KEY is not set/);
    h.secrets.set("BACKUP_KEY", await generateIdentity());
    const [b2] = await h.service.backUp({ app: "shop", trigger: "manual" });
    expect(b2!.status).toBe("good");
    const [name] = readdirSync(h.dataDir.backupsDir("shop", "production", "db"));
    expect(name).toMatch(/^b2-\d{8}T\d{6}Z\.sqlite\.gz\.age$/);
    const stored = readFileSync(join(h.dataDir.backupsDir("shop", "production", "db"), name!));
    expect(stored.subarray(0, 21).toString()).toBe("age-encryption.org/v1");
    h.secrets.delete("BACKUP_KEY");
    await expect(h.service.restore({ app: "shop", id: "b2" })).rejects.toThrow(
      /b2 is encrypted, and BACKUP_KEY is not set/,
    );
    h.secrets.set("BACKUP_KEY", await generateIdentity());
    await expect(h.service.restore({ app: "shop", id: "b2" })).rejects.toThrow(/encrypted with another key/);
  });

  it("before a release command: backs up against the release, skips a database not created yet, throws on failure", async () => {
    const h = harness(APP);
    const config = h.store.apps.config("shop")!;
    const release = h.store.releases.create({
      app: "shop",
      env: "production",
      trigger: "cli",
      commit: null,
      deployedBy: null,
      config,
      now: Date.now(),
    });
    expect(await h.service.backupBeforeRelease("shop", "production", release.id)).toEqual([]);
    const file = h.storagePath("data/app.db");
    seed(file, 3);
    const [taken] = await h.service.backupBeforeRelease("shop", "production", release.id);
    expect(taken).toMatchObject({ trigger: "release", release: release.id, status: "good" });
    expect(h.store.backups.forRelease("shop", release.id).map((b) => b.id)).toEqual([taken!.id]);
    writeFileSync(file, "this is not a database");
    await expect(h.service.backupBeforeRelease("shop", "production", release.id)).rejects.toThrow(
      /the backup of database "db" before the release command failed/,
    );
  });
});
