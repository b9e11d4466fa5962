import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AlertMessage } from "../alerts/message.js";
import { parseAppConfig } from "../config/load.js";
import type { BackupTrigger } from "../store/backups.js";
import { Store } from "../store/store.js";
import { useTempDirs } from "../test-support/git-fixtures.js";
import { BackupScheduler } from "./scheduler.js";

const tempDir = useTempDirs();
const T0 = Date.parse("2026-03-02T12:03:00Z");
const at = (hhmm: string) => Date.parse(`2026-03-02T${hhmm}:00Z`);
const MINUTE = 60_000;

interface Fixture {
  store: Store;
  runs: Array<{ trigger: BackupTrigger; at: number }>;
  alerts: AlertMessage[];
  scheduler: BackupScheduler;
  /** Whether the next runs succeed. */
  outcome: { good: boolean };
}

const fixtures: Fixture[] = [];
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(async () => {
  for (const f of fixtures.splice(0)) {
    await f.scheduler.stop(0);
    f.store.close();
  }
  vi.useRealTimers();
});

/** A live release of `shop` backing up every `schedule`, and a scheduler whose runs only write the ledger. */
function fixture(schedule: string, before: (store: Store) => void = () => undefined): Fixture {
  const store = new Store(join(tempDir(), "skiff.db"));
  const config = parseAppConfig(
    `app: shop\nstart: x\nbackups:\n  - sqlite: app.db\n    schedule: "${schedule}"\n`,
  );
  const release = store.releases.create({
    app: "shop",
    env: "production",
    trigger: "cli",
    commit: null,
    deployedBy: null,
    config,
    now: T0 - 60 * MINUTE,
  });
  store.releases.goLive("shop", release.id, "superseded", T0 - 60 * MINUTE);
  before(store);
  const runs: Fixture["runs"] = [];
  const alerts: AlertMessage[] = [];
  const outcome = { good: true };
  const scheduler = new BackupScheduler({
    store,
    logger: pino({ level: "silent" }),
    alert: (_app, message) => alerts.push(message),
    run: async ({ app, env, name, trigger }) => {
      runs.push({ trigger, at: Date.now() });
      const record = store.backups.start({
        app,
        env,
        name,
        kind: "sqlite",
        trigger,
        release: null,
        keySecret: null,
        now: Date.now(),
      });
      if (outcome.good)
        store.backups.finish(app, record.id, {
          status: "good",
          bytes: 1,
          sha256: "x",
          tables: {},
          locations: [{ kind: "local", path: "/x" }],
          verifyNote: "ok",
          now: Date.now(),
        });
      else store.backups.fail(app, record.id, "disk full", Date.now());
      return [store.backups.get(app, record.id)!];
    },
  });
  const f = { store, runs, alerts, scheduler, outcome };
  fixtures.push(f);
  return f;
}

function takenAt(store: Store, at: number, good = true): void {
  const record = store.backups.start({
    app: "shop",
    env: "production",
    name: "db",
    kind: "sqlite",
    trigger: "schedule",
    release: null,
    keySecret: null,
    now: at,
  });
  if (good)
    store.backups.finish("shop", record.id, {
      status: "good",
      bytes: 1,
      sha256: "x",
      tables: {},
      locations: [{ kind: "local", path: "/x" }],
      verifyNote: "ok",
      now: at,
    });
}

describe("BackupScheduler", () => {
  it("runs at each scheduled time, counting from the last attempt in the ledger", async () => {
    const f = fixture("*/10 * * * *", (store) => takenAt(store, at("12:02")));
    f.scheduler.start();
    expect(f.runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(7 * MINUTE);
    expect(f.runs).toEqual([{ trigger: "schedule", at: at("12:10") }]);
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(f.runs.map((r) => r.at)).toEqual([at("12:10"), at("12:20")]);
    expect(f.alerts).toEqual([]);
  });

  it("a run missed while the agent was down happens at once on start, after the staleness alert", async () => {
    // Last backup at 10:03 on an hourly schedule: the 11:00 and 12:00 runs were missed.
    const f = fixture("0 * * * *", (store) => takenAt(store, T0 - 120 * MINUTE));
    f.scheduler.start();
    expect(f.alerts.map((a) => a.kind)).toEqual(["backup-stale"]);
    await vi.advanceTimersByTimeAsync(0);
    expect(f.runs).toEqual([{ trigger: "missed", at: T0 }]);
    // Then back on the hour, as usual.
    await vi.advanceTimersByTimeAsync(57 * MINUTE);
    expect(f.runs.map((r) => r.trigger)).toEqual(["missed", "schedule"]);
  });

  it("alerts staleness once per spell when runs keep failing, and again after a good one in between", async () => {
    const f = fixture("*/10 * * * *", (store) => takenAt(store, at("12:02")));
    f.outcome.good = false;
    f.scheduler.start();
    // Good at 12:02, failing from 12:10: stale once more than 15 minutes (1.5 periods) have passed.
    await vi.advanceTimersByTimeAsync(14 * MINUTE);
    expect(f.alerts).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(f.alerts.map((a) => a.title)).toEqual(['shop: database "db": no recent backup']);
    await vi.advanceTimersByTimeAsync(30 * MINUTE);
    expect(f.alerts).toHaveLength(1);
    f.outcome.good = true;
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    f.outcome.good = false;
    await vi.advanceTimersByTimeAsync(20 * MINUTE);
    expect(f.alerts).toHaveLength(2);
  });

  it("follows the live config: a database removed from backups: is no longer run", async () => {
    const f = fixture("*/10 * * * *");
    f.scheduler.start();
    expect(f.scheduler.watched().map((w) => w.name)).toEqual(["db"]);
    // Live since 11:03 and never backed up: that is a missed run, taken at once.
    await vi.advanceTimersByTimeAsync(0);
    expect(f.runs.map((r) => r.trigger)).toEqual(["missed"]);
    const config = parseAppConfig("app: shop\nstart: x\n");
    const next = f.store.releases.create({
      app: "shop",
      env: "production",
      trigger: "cli",
      commit: null,
      deployedBy: null,
      config,
      now: Date.now(),
    });
    f.store.releases.goLive("shop", next.id, "superseded", Date.now());
    f.scheduler.refresh();
    expect(f.scheduler.watched()).toEqual([]);
    await vi.advanceTimersByTimeAsync(30 * MINUTE);
    expect(f.runs.map((r) => r.trigger)).toEqual(["missed"]);
  });
});
