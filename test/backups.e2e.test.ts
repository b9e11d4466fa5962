import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Receiver, startReceiver } from "../src/alerts/test-support/receivers.js";
import type { BackupsResponse, BackupView } from "../src/backups/api-types.js";
import { AgentClient } from "../src/cli/client.js";
import { runCli } from "../src/test-support/cli.js";
import { deploy, get, useAgentProcesses, useAgents } from "./support/agent.js";
import { createAppRepo } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const startAgent = useAgents();
const startAgentProcess = useAgentProcesses();
const receivers: Receiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

/** The app's SQLite database where backups: `sqlite: data/app.db` finds it (SKIFF_STORAGE_DIR/data/app.db). */
function seed(dataDir: string, app: string, rows: number): string {
  const dir = join(dataDir, "storage", app, "production", "data");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "app.db");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT)");
  const insert = db.prepare("INSERT INTO notes (text) VALUES (?)");
  for (let i = 0; i < rows; i++) insert.run(`note ${i}`);
  db.close();
  return file;
}

function count(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM notes").pluck().get() as number;
  } finally {
    db.close();
  }
}

async function backups(client: AgentClient, app: string): Promise<BackupView[]> {
  return (await client.json<BackupsResponse>("GET", `/v1/backups?app=${app}`)).backups;
}

describe("backups through the agent and the CLI", () => {
  it("skiff backup, skiff backups --json, skiff restore (refused without --yes off a terminal) and the app still serves", async () => {
    const dataDir = tempDir();
    const { info, agent, proxy } = await startAgent(dataDir);
    const app = "notes";
    const repo = createAppRepo(join(tempDir(), "repo"), app, {}, "backups:\n  - sqlite: data/app.db\n");
    await deploy(new AgentClient(info.api, agent.token), repo);
    const file = seed(dataDir, app, 40);
    const flags = ["--app", app, "--agent", info.api, "--token", agent.token];

    const taken = await runCli(["backup", ...flags, "--json"]);
    expect(taken.code, taken.stderr).toBe(0);
    expect(JSON.parse(taken.stdout).backups[0]).toMatchObject({
      id: "b1",
      name: "db",
      verified: true,
      trigger: "manual",
    });

    const listed = await runCli(["backups", ...flags, "--json"]);
    const [b1] = JSON.parse(listed.stdout).backups as BackupView[];
    expect(b1).toMatchObject({ id: "b1", name: "db", verified: true, tables: { notes: 40 } });
    expect(b1!.bytes).toBeGreaterThan(0);
    expect(Date.parse(b1!.createdAt)).toBeGreaterThan(0);
    const human = await runCli(["backups", ...flags]);
    expect(human.stdout).toMatch(/b1\s+db\s+production\s.*manual\s+local\s+yes/);

    const db = new Database(file);
    db.exec("DELETE FROM notes");
    db.close();
    const refused = await runCli(["restore", "b1", ...flags]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);
    expect(count(file)).toBe(0);

    const missing = await runCli(["restore", "b99", ...flags, "--yes"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/notes has no backup b99/);
    const badFlag = await runCli(["backup", ...flags, "--db", "nope"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--db nope: notes has no database of that name in backups: \(db\)/);

    const restored = await runCli(["restore", "b1", ...flags, "--yes", "--json"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({
      env: "production",
      safety: { id: "b2", trigger: "safety" },
    });
    expect(count(file)).toBe(40);
    // The app's processes were stopped for the swap and brought back through the health gate.
    expect((await get(`${proxy}/`)).status).toBe(200);
    const events = await new AgentClient(info.api, agent.token).json<{ events: Array<{ name: string }> }>(
      "GET",
      `/v1/apps/${app}/events`,
    );
    expect(events.events.map((e) => e.name)).toContain("restored");

    const scrape = await new AgentClient(info.api, agent.token).send("GET", "/metrics");
    let text = "";
    for await (const chunk of scrape) text += String(chunk);
    expect(text).toMatch(
      /skiff_backup_last_success_timestamp_seconds\{app="notes",env="production",database="db"\}/,
    );
  });

  it("after kill -9 the missed scheduled run happens on restart, and staleness is alerted first", async () => {
    const dataDir = tempDir();
    const hook = await startReceiver();
    receivers.push(hook);
    const app = `sched-${process.pid}`;
    const first = await startAgentProcess(dataDir);
    const client = new AgentClient(first.info.api, first.token);
    const repo = createAppRepo(
      join(tempDir(), "repo"),
      app,
      {},
      `backups:\n  - sqlite: data/app.db\n    schedule: "*/2 * * * * *"\nalerts:\n  - webhook: { url: ${hook.url}/alerts }\n`,
    );
    seed(dataDir, app, 5);
    await deploy(client, repo);
    await vi.waitFor(
      async () =>
        expect((await backups(client, app)).some((b) => b.trigger === "schedule" && b.verified)).toBe(true),
      { timeout: 30_000, interval: 200 },
    );
    await first.stop("SIGKILL");
    const last = Math.max(...(await readLedger(dataDir, app)).map((b) => b.createdAt));
    // Down for more than 1.5 periods (3 s): the next run is missed and the newest backup goes stale.
    await vi.waitFor(() => expect(Date.now() - last).toBeGreaterThan(4_000), {
      timeout: 10_000,
      interval: 100,
    });

    const second = await startAgentProcess(dataDir);
    const again = new AgentClient(second.info.api, second.token);
    await vi.waitFor(
      () => expect(hook.received.map((r) => JSON.parse(r.body).kind)).toContain("backup-stale"),
      { timeout: 20_000, interval: 100 },
    );
    await vi.waitFor(
      async () =>
        expect((await backups(again, app)).find((b) => b.trigger === "missed")?.verified).toBe(true),
      { timeout: 20_000, interval: 200 },
    );
    const stale = hook.received.map((r) => JSON.parse(r.body)).find((m) => m.kind === "backup-stale");
    expect(stale.title).toBe(`${app}: database "db": no recent backup`);
  });
});

/** The backups ledger read directly: the killed agent cannot answer. */
async function readLedger(dataDir: string, app: string): Promise<Array<{ createdAt: number }>> {
  const db = new Database(join(dataDir, "skiff.db"), { readonly: true });
  try {
    return (db.prepare("SELECT created_at FROM backups WHERE app = ?").pluck().all(app) as number[]).map(
      (createdAt) => ({ createdAt }),
    );
  } finally {
    db.close();
  }
}
