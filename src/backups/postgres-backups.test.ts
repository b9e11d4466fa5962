import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireExternal } from "../test-support/external.js";
import { useBackupHarness } from "./test-support/harness.js";
import { type Cluster, postgresBin, startCluster } from "./test-support/postgres-cluster.js";

const skip = requireExternal("PostgreSQL", "postgresql", postgresBin() !== undefined);
const harness = useBackupHarness();

const APP = `app: shop
start: node server.js
backups:
  - name: main
    postgres_url_secret: DATABASE_URL
`;

describe.skipIf(skip)("PostgreSQL backups", () => {
  let cluster: Cluster;
  let clusterDir: string;

  beforeAll(async () => {
    clusterDir = mkdtempSync(join(tmpdir(), "skiff-pg-"));
    cluster = await startCluster(clusterDir);
  });

  afterAll(async () => {
    await cluster?.stop();
    if (clusterDir) rmSync(clusterDir, { recursive: true, force: true });
  });

  it("backs up with pg_dump, verifies in a scratch database, and restores a dropped table", async () => {
    const h = harness(APP);
    h.secrets.set("DATABASE_URL", cluster.url);
    await cluster.sql(
      "CREATE TABLE orders (id serial PRIMARY KEY, total int NOT NULL); INSERT INTO orders (total) SELECT g FROM generate_series(1, 1234) g;",
    );
    const [b1] = await h.service.backUp({ app: "shop", trigger: "manual" });
    expect(b1!.status, b1!.error ?? b1!.verifyNote ?? "").toBe("good");
    expect(b1!.verifyNote).toMatch(/restored into a scratch database/);
    expect(b1!.tables).toEqual({ "public.orders": 1234 });
    // The scratch database is gone again.
    expect(await cluster.sql("SELECT count(*) FROM pg_database WHERE datname LIKE 'skiff_verify_%'")).toBe(
      "0",
    );

    await cluster.sql("DROP TABLE orders");
    const result = await h.service.restore({ app: "shop", id: b1!.id });
    expect(await cluster.sql("SELECT count(*), sum(total) FROM orders")).toBe(`1234|${(1234 * 1235) / 2}`);
    // The safety backup holds the database as it was before: without the table.
    expect(result.safety).toMatchObject({ status: "good", tables: {} });

    // The password never reaches the ledger, the archive's name or an error.
    const dir = h.dataDir.backupsDir("shop", "production", "main");
    expect(readdirSync(dir)[0]).toMatch(/^b1-\d{8}T\d{6}Z\.pgdump$/);
    const ledger = JSON.stringify(h.service.list({ app: "shop" }));
    expect(ledger).not.toContain(cluster.password);
    expect(readFileSync(h.dataDir.db).includes(cluster.password)).toBe(false);
  });

  it("a dump that fails (wrong password) is a failed backup whose message does not carry the password", async () => {
    const h = harness(APP);
    const wrong = cluster.url.replace(cluster.password, "not-the-password-5678");
    h.secrets.set("DATABASE_URL", wrong);
    const [record] = await h.service.backUp({ app: "shop", trigger: "manual" });
    expect(record!.status).toBe("failed");
    expect(record!.error).toMatch(/pg_dump failed/);
    expect(record!.error).not.toContain("not-the-password-5678");
    expect(h.alerts[0]?.details.join("\n")).not.toContain("not-the-password-5678");
  });

  it("falls back to pg_restore --list, and says so, when the role cannot create a scratch database", async () => {
    const h = harness(APP);
    await cluster.sql(
      "DROP ROLE IF EXISTS limited; CREATE ROLE limited LOGIN PASSWORD 'limited-password-1'; GRANT ALL ON SCHEMA public TO limited; GRANT SELECT ON ALL TABLES IN SCHEMA public TO limited; GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO limited;",
    );
    h.secrets.set(
      "DATABASE_URL",
      cluster.url.replace(`postgres:${cluster.password}`, "limited:limited-password-1"),
    );
    const [record] = await h.service.backUp({ app: "shop", trigger: "manual" });
    expect(record!.status, record!.error ?? "").toBe("good");
    expect(record!.verifyNote).toMatch(
      /^pg_restore --list read \d+ tables; no scratch database could be created/,
    );
  });
});
