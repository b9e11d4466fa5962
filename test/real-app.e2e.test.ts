import { rmSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { ReleaseListView, StatusView, StreamEvent } from "../src/agent/api-types.js";
import { archive, deployMeta, readAppSource } from "../src/cli/app-source.js";
import type { AgentClient } from "../src/cli/client.js";
import { OperationError } from "../src/errors.js";
import { runCli } from "../src/test-support/cli.js";
import { commit } from "../src/test-support/git-fixtures.js";
import { rejection } from "../src/test-support/rejection.js";
import { until } from "../src/test-support/wait.js";
import { deploy, get, rollback, useAgents } from "./support/agent.js";
import { betterSqlitePrebuild, notesDatabase, notesRepo } from "./support/notes-app.js";
import { useTempDirs } from "./support/temp.js";
import { WriteLoad } from "./support/write-load.js";

const tempDir = useTempDirs();
const startAgent = useAgents();
const databases: Database.Database[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

/** examples/notes deployed once on a fresh agent: its install, migrations, web and worker. */
async function deployedNotes() {
  const root = tempDir();
  const repo = notesRepo(join(root, "app"), await betterSqlitePrebuild(join(root, "prebuild")));
  const { client, proxy, agent, info } = await startAgent(join(root, "data"));
  const first = await deploy(client, repo);
  expect(first.result.ok, JSON.stringify(first.result.error)).toBe(true);
  const db = notesDatabase(agent.dataDir.storageDir("notes", "production"));
  databases.push(db);
  return { repo, client, proxy, agent, info, db, first };
}

/** A deploy expected to fail: its error (message, hint, log tail) and the steps streamed before it. */
async function failedDeploy(
  client: AgentClient,
  repo: string,
): Promise<{ error: OperationError; events: StreamEvent[] }> {
  const source = await readAppSource(repo);
  const events: StreamEvent[] = [];
  const error = await rejection(
    client.deploy("notes", await archive(source), deployMeta(source, "tester"), {}, (e) => events.push(e)),
    OperationError,
  );
  return { error, events };
}

function step(events: StreamEvent[], name: string): Extract<StreamEvent, { type: "step" }> | undefined {
  return events.find(
    (e): e is Extract<StreamEvent, { type: "step" }> => e.type === "step" && e.step === name,
  );
}

/** The live release's processes, web first. */
async function processes(client: AgentClient) {
  const status = await client.json<StatusView>("GET", "/v1/status");
  const notes = status.apps.find((a) => a.app === "notes");
  expect(notes?.live?.id).toBeDefined();
  return notes!.instances.map((i) => ({ process: i.process, pid: i.pid, state: i.state }));
}

async function worker(client: AgentClient) {
  const status = await client.json<StatusView>("GET", "/v1/status");
  return status.apps.find((a) => a.app === "notes")?.instances.find((i) => i.process === "worker");
}

describe("a real app: web, worker, migrations and SQLite in persistent storage", () => {
  it("keeps every write through 10 deploys and 3 rollbacks under load, fails no request, restarts a crashed worker", async () => {
    const { repo, client, proxy, db, first } = await deployedNotes();
    expect(step(first.events, "installed")?.message).toMatch(/^ran `npm ci --omit=dev`/);
    expect(step(first.events, "released")?.message).toBe("`node migrate.js`");
    const load = new WriteLoad(proxy, {
      path: "/notes",
      concurrency: 4,
      maxRequests: 100_000,
      maxDurationMs: 300_000,
    });
    const allThere = (when: string) => {
      const written = load.snapshot().ids;
      const stored = new Set(db.prepare("SELECT id FROM notes").pluck().all() as number[]);
      expect(
        written.filter((id) => !stored.has(id)),
        `notes missing ${when}`,
      ).toEqual([]);
      return written.length;
    };
    let rollbacks = 0;
    try {
      for (let i = 2; i <= 11; i++) {
        const before = load.snapshot().ids.length;
        // Each deploy happens while writes go on.
        await until("writes between two deploys", () => load.snapshot().ids.length > before + 5);
        await commit(repo, `feat: v${i}`, {
          VERSION: `${i}\n`,
          ...(i === 4 ? { "migrations/003-tags.sql": "ALTER TABLE notes ADD COLUMN tag TEXT;\n" } : {}),
        });
        const { result, events } = await deploy(client, repo);
        expect(result.ok, JSON.stringify(result.error)).toBe(true);
        // package-lock.json never changes here: node_modules comes from the release before.
        expect(step(events, "installed")?.message).toMatch(
          /^cached: package-lock.json unchanged; node_modules/,
        );
        expect(step(events, "released")?.message).toMatch(/^backup b\d+, then `node migrate.js`$/);
        allThere(`after deploy ${i}`);
        if (i === 6) {
          const crashed = await worker(client);
          process.kill(crashed!.pid!, "SIGKILL");
          const back = await until("the worker restarted", async () => {
            const w = await worker(client);
            return w && w.restarts === 1 && w.pid !== crashed!.pid && w.state === "running" && w;
          });
          expect(back.pid).toBeGreaterThan(0);
        }
        if (i % 3 === 0) {
          const back = await rollback(client, "notes");
          expect(back.result.ok, JSON.stringify(back.result.error)).toBe(true);
          expect(step(back.events, "started")?.message).toMatch(
            /is warm: no start needed; 1 other process started again/,
          );
          rollbacks++;
          allThere(`after rollback ${rollbacks}`);
        }
      }
    } finally {
      await load.stop();
    }
    const report = load.snapshot();
    expect(rollbacks).toBe(3);
    expect(report.errors).toEqual({});
    expect(report.byStatus).toEqual({ "201": report.sent });
    expect(allThere("at the end")).toBe(report.sent);
    expect(Object.keys(report.byVersion).length).toBeGreaterThanOrEqual(8);
    // The worker of whichever release is live counts every note's words, 100 every 100 ms: on a quiet
    // machine the load writes tens of thousands of notes faster than that, so the wait scales with the
    // backlog (2 ms a note, twice the worker's pace) instead of a fixed 20 s.
    const backlog = db
      .prepare("SELECT count(*) FROM notes WHERE processed_at IS NULL")
      .pluck()
      .get() as number;
    await until(
      "the worker processed every note",
      () => db.prepare("SELECT count(*) FROM notes WHERE processed_at IS NULL").pluck().get() === 0,
      { timeoutMs: 20_000 + backlog * 2 },
    );
    expect(db.prepare("SELECT DISTINCT words FROM notes").pluck().all()).toEqual([5]);
    expect(db.prepare("SELECT name FROM schema_migrations ORDER BY name").pluck().all()).toEqual([
      "001-notes.sql",
      "002-processed-by.sql",
      "003-tags.sql",
    ]);
  }, 600_000);

  it("fails at released on a failing migration, data untouched; a breaking one is undone by skiff restore of its backup", async () => {
    const { repo, client, proxy, db, info, agent } = await deployedNotes();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${proxy}/notes`, { method: "POST", body: `note ${i} words` });
      expect(res.status).toBe(201);
    }
    await until(
      "the worker counted them",
      () => db.prepare("SELECT count(*) FROM notes WHERE processed_at IS NULL").pluck().get() === 0,
    );
    const rows = () => db.prepare("SELECT id, body, words FROM notes ORDER BY id").all();
    const before = rows();
    expect(before).toHaveLength(20);

    // A migration that fails in its transaction: nothing of it stays.
    await commit(repo, "feat: broken migration", {
      "migrations/003-broken.sql": "ALTER TABLE notes ADD COLUMN x TEXT;\nSELECT * FROM no_such_table;\n",
    });
    const broken = await failedDeploy(client, repo);
    expect(broken.error.message).toMatch(
      /^the release command failed \(exit code 1\); its data before: skiff restore b\d+ --app notes$/,
    );
    expect(broken.error.hint).toBe("r1 is still live and serving notes");
    expect(broken.events.filter((e) => e.type === "step").map((e) => `${e.step}${e.ok ? "" : " ✗"}`)).toEqual(
      ["received", "unpacked", "installed", "released ✗", "failed ✗"],
    );
    expect((await get(`${proxy}/`)).headers["x-app-version"]).toBe("1");
    expect(rows()).toEqual(before);
    expect(db.prepare("SELECT name FROM pragma_table_info('notes') WHERE name = 'x'").all()).toEqual([]);

    // A migration that commits damage, then one that fails: the deploy fails, the damage stays, the
    // backup taken before the release command brings the data back.
    rmSync(join(repo, "migrations/003-broken.sql"));
    await commit(repo, "feat: breaking migration", {
      "migrations/003-wipe.sql": "UPDATE notes SET body = 'lost';\n",
      "migrations/004-broken.sql": "SELECT * FROM no_such_table;\n",
    });
    const breaking = await failedDeploy(client, repo);
    expect(breaking.error.message).toMatch(/^the release command failed/);
    expect(db.prepare("SELECT DISTINCT body FROM notes").pluck().all()).toEqual(["lost"]);
    const { releases } = await client.json<ReleaseListView>("GET", "/v1/apps/notes/releases");
    expect(releases[0]).toMatchObject({ id: "r3", status: "failed" });
    const backups = releases[0]!.backups;
    expect(backups).toEqual([{ id: expect.stringMatching(/^b\d+$/), database: "db", status: "good" }]);
    const listed = await runCli(["releases", "--app", "notes", "--agent", info.api, "--token", agent.token]);
    expect(listed.stdout).toContain(backups[0]!.id);

    const beforeRestore = await processes(client);
    expect(beforeRestore.map((p) => p.process)).toEqual(["web", "worker"]);
    const restored = await runCli([
      "restore",
      backups[0]!.id,
      "--app",
      "notes",
      "--yes",
      "--agent",
      info.api,
      "--token",
      agent.token,
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(rows()).toEqual(before);
    // The live restore stopped every process type of r1 and brought each back from the same release.
    const after = await processes(client);
    expect(after.map((p) => `${p.process} ${p.state}`)).toEqual(["web running", "worker running"]);
    for (const [i, p] of after.entries()) expect(p.pid).not.toBe(beforeRestore[i]!.pid);
    const served = await get(`${proxy}/notes/${(before[0] as { id: number }).id}`);
    expect(JSON.parse(served.body)).toMatchObject({ body: "note 0 words", words: 3 });
    expect(served.headers["x-app-version"]).toBe("1");
  }, 300_000);
});
