import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { useTempDirs } from "../test-support/git-fixtures.js";
import { useBackupHarness } from "./test-support/harness.js";
import { type S3Fake, startS3 } from "./test-support/s3-server.js";

const harness = useBackupHarness();
const tempDir = useTempDirs();
const servers: S3Fake[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function config(s3: S3Fake, to: string): string {
  return `app: shop
start: node server.js
backups:
  - sqlite: data/app.db
    keep: 2
    to: ${to.replace("S3", `{ s3: { endpoint: "${s3.endpoint}", bucket: ${s3.bucket}, prefix: skiff, access_key_id_secret: S3_KEY, secret_access_key_secret: S3_SECRET } }`)}
`;
}

function seed(file: string, rows: number): void {
  const db = new Database(file);
  db.exec("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, body TEXT)");
  const insert = db.prepare("INSERT INTO items (body) VALUES (?)");
  for (let i = 0; i < rows; i++) insert.run(`row ${i}`);
  db.close();
}

describe("backups to an S3-compatible bucket", () => {
  it("uploads every backup, prunes old objects per keep:, and restores by downloading", async () => {
    const s3 = await startS3(tempDir("skiff-s3-"));
    servers.push(s3);
    const h = harness(config(s3, "[S3]"));
    h.secrets.set("S3_KEY", s3.accessKeyId);
    h.secrets.set("S3_SECRET", s3.secretAccessKey);
    const file = h.storagePath("data/app.db");
    for (let i = 1; i <= 4; i++) {
      seed(file, 10);
      const [record] = await h.service.backUp({ app: "shop", trigger: "manual" });
      expect(record!.status, record!.error ?? "").toBe("good");
      expect(record!.locations).toEqual([
        expect.objectContaining({
          kind: "s3",
          key: expect.stringMatching(/^skiff\/shop\/production\/db\/b\d+-.*\.sqlite\.gz$/),
        }),
      ]);
    }
    // keep: 2 — b1 and b2 were deleted from the bucket.
    const keys = await s3.keys("skiff/shop/production/db/");
    expect(keys.map((k) => k.split("/").pop()!.split("-")[0])).toEqual(["b3", "b4"]);
    expect(
      h.service
        .list({ app: "shop", pruned: true })
        .filter((b) => b.prunedAt !== null)
        .map((b) => b.id),
    ).toEqual(["b2", "b1"]);

    // The live database is lost entirely; b3 (30 rows) comes back from the bucket.
    rmSync(file);
    await h.service.restore({ app: "shop", id: "b3" });
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM items").pluck().get()).toBe(30);
    db.close();
  });

  it("sends an archive larger than one part (16 MiB) in parts, and gets it back whole", async () => {
    const s3 = await startS3(tempDir("skiff-s3-"));
    servers.push(s3);
    const h = harness(config(s3, "[S3]"));
    h.secrets.set("S3_KEY", s3.accessKeyId);
    h.secrets.set("S3_SECRET", s3.secretAccessKey);
    const file = h.storagePath("data/app.db");
    const db = new Database(file);
    db.exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)");
    const insert = db.prepare("INSERT INTO blobs (data) VALUES (?)");
    // Random bytes do not compress: 20 MiB of them make an archive of more than one part.
    db.transaction(() => {
      for (let i = 0; i < 320; i++) insert.run(randomBytes(64 * 1024));
    })();
    db.close();
    const [record] = await h.service.backUp({ app: "shop", trigger: "manual" });
    expect(record!.status, record!.error ?? "").toBe("good");
    expect(record!.bytes).toBeGreaterThan(16 * 1024 * 1024);
    rmSync(file);
    await h.service.restore({ app: "shop", id: record!.id });
    const restored = new Database(file, { readonly: true });
    expect(restored.prepare("SELECT count(*), sum(length(data)) FROM blobs").raw().get()).toEqual([
      320,
      320 * 64 * 1024,
    ]);
    restored.close();
  });

  it("keeps the local copy and alerts when the bucket cannot be reached", async () => {
    const s3 = await startS3(tempDir("skiff-s3-"));
    const h = harness(config(s3, "[local, S3]"));
    await s3.close();
    h.secrets.set("S3_KEY", s3.accessKeyId);
    h.secrets.set("S3_SECRET", s3.secretAccessKey);
    seed(h.storagePath("data/app.db"), 5);
    const [record] = await h.service.backUp({ app: "shop", trigger: "manual" });
    expect(record!.status).toBe("good");
    expect(record!.locations.map((l) => l.kind)).toEqual(["local"]);
    expect(h.alerts.map((a) => a.details[0])).toEqual([
      expect.stringMatching(/^What broke: stored, but not everywhere: uploading to s3:\/\/backups\//),
    ]);
    expect(JSON.stringify(h.alerts)).not.toContain(s3.secretAccessKey);
  });

  it("names the missing secret when the S3 credentials are not set", async () => {
    const s3 = await startS3(tempDir("skiff-s3-"));
    servers.push(s3);
    const h = harness(config(s3, "S3"));
    seed(h.storagePath("data/app.db"), 1);
    const [record] = await h.service.backUp({ app: "shop", trigger: "manual" });
    expect(record!.status).toBe("failed");
    expect(record!.error).toBe(
      "backups.0.to.0.s3: S3_KEY is not set in the agent's secret store or environment (skiff secrets set S3_KEY)",
    );
  });
});
