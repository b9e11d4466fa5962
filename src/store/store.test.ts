import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { Deliveries } from "./deliveries.js";
import { Store } from "./store.js";

let dir: string;
let store: Store;
const config = parseAppConfig("app: hello\nstart: node server.js\n");

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skiff-store-"));
  store = new Store(join(dir, "skiff.db"));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("releases", () => {
  it("numbers releases per app and keeps exactly one live per app", () => {
    const r1 = store.releases.create({
      app: "hello",
      trigger: "cli",
      commit: null,
      deployedBy: "a",
      config,
      now: 1,
    });
    const other = store.releases.create({
      app: "other",
      trigger: "cli",
      commit: null,
      deployedBy: "a",
      config,
      now: 1,
    });
    expect([r1.id, other.id]).toEqual(["r1", "r1"]);
    store.releases.goLive("hello", "r1", "superseded", 2);
    store.releases.goLive("other", "r1", "superseded", 2);
    const r2 = store.releases.create({
      app: "hello",
      trigger: "cli",
      commit: null,
      deployedBy: "a",
      config,
      now: 3,
    });
    store.releases.goLive("hello", r2.id, "rolled-back", 4, "rolled back to r1");
    expect(store.releases.list("hello").map((r) => [r.id, r.status, r.reason])).toEqual([
      ["r2", "live", null],
      ["r1", "rolled-back", "rolled back to r1"],
    ]);
    expect(store.releases.live("other")?.id).toBe("r1");
    expect(store.releases.allLive().map((r) => `${r.app}/${r.id}`)).toEqual(["hello/r2", "other/r1"]);
    expect(store.releases.get("hello", "r1")?.config).toEqual(config);
  });

  it("counts the next version from the highest one that went live, not from a rollback or an older commit", () => {
    const release = (trigger: "cli" | "rollback", version: string, sha: string, now: number) => {
      const created = store.releases.create({
        app: "hello",
        trigger,
        version,
        commit: { sha, message: "m", author: "a", time: now },
        deployedBy: "a",
        config,
        now,
      });
      store.releases.goLive("hello", created.id, "superseded", now + 1);
    };
    expect(store.releases.lastVersion("hello")).toBeUndefined();
    release("cli", "0.1.0", "aaa", 1);
    release("cli", "0.2.0", "bbb", 3);
    release("rollback", "0.1.0", "aaa", 5);
    release("cli", "0.1.0", "aaa", 7); // the older commit deployed again keeps its version
    expect(store.releases.lastVersion("hello")).toEqual({ version: "0.2.0", sha: "bbb" });
    expect(store.releases.versionOfCommit("hello", "aaa")).toBe("0.1.0");
    expect(store.releases.versionOfCommit("hello", "ccc")).toBeUndefined();
  });

  it("only fails releases that are still deploying", () => {
    const r1 = store.releases.create({
      app: "hello",
      trigger: "cli",
      commit: null,
      deployedBy: null,
      config,
      now: 1,
    });
    store.releases.goLive("hello", r1.id, "superseded", 2);
    store.releases.fail("hello", r1.id, "late failure", 3);
    expect(store.releases.get("hello", r1.id)?.status).toBe("live");
  });
});

describe("leases", () => {
  const request = { app: "hello", holder: "boot1:a", who: "alice", operation: "deploy of abc1234" };

  it("refuses a second holder while the lease is live and names the first", () => {
    expect(store.leases.acquire(request, 1000, 15_000)).toEqual({ ok: true });
    const second = store.leases.acquire({ ...request, holder: "boot1:b", who: "bob" }, 2000, 15_000);
    expect(second).toMatchObject({
      ok: false,
      held: { who: "alice", operation: "deploy of abc1234", since: 1000 },
    });
  });

  it("lapses unless renewed, so a dead holder never blocks for longer than the ttl", () => {
    store.leases.acquire(request, 1000, 15_000);
    expect(store.leases.renew("hello", "boot1:a", 10_000, 15_000)).toBe(true);
    expect(store.leases.acquire({ ...request, holder: "boot1:b" }, 20_000, 15_000).ok).toBe(false);
    expect(store.leases.acquire({ ...request, holder: "boot1:b" }, 25_001, 15_000).ok).toBe(true);
    expect(store.leases.renew("hello", "boot1:a", 25_002, 15_000)).toBe(false);
  });

  it("drops every lease of an earlier agent run", () => {
    store.leases.acquire(request, 1000, 15_000);
    store.leases.acquire({ ...request, app: "other", holder: "boot2:a" }, 1000, 15_000);
    expect(store.leases.releaseAllExcept("boot2")).toBe(1);
    expect(store.leases.get("hello")).toBeUndefined();
    expect(store.leases.get("other")?.holder).toBe("boot2:a");
  });
});

describe("what the dashboard reads", () => {
  const deployAt = (app: string, now: number, env = "production", live = true) => {
    const created = store.releases.create({
      app,
      env,
      trigger: "cli",
      commit: { sha: `s${now}`, message: "m", author: "a", time: now - 10 },
      deployedBy: "a",
      config,
      now,
    });
    if (live) store.releases.goLive(app, created.id, "superseded", now + 1);
    return created;
  };

  it("pages one deployment's history newest first and counts it", () => {
    for (let i = 1; i <= 5; i++) deployAt("hello", i * 10, i % 2 === 0 ? "staging" : "production");
    expect(store.releases.page("hello", { limit: 2 }).map((r) => r.id)).toEqual(["r5", "r4"]);
    expect(store.releases.page("hello", { limit: 2, offset: 2 }).map((r) => r.id)).toEqual(["r3", "r2"]);
    expect(store.releases.page("hello", { env: "staging", limit: 10 }).map((r) => r.id)).toEqual([
      "r4",
      "r2",
    ]);
    expect([store.releases.count("hello"), store.releases.count("hello", "production")]).toEqual([5, 3]);
  });

  it("finds each app's newest release in any environment", () => {
    deployAt("hello", 10);
    deployAt("hello", 20, "staging", false);
    deployAt("other", 30);
    const newest = store.releases.newestPerApp();
    expect([...newest].map(([app, r]) => [app, r.id, r.env, r.status]).sort()).toEqual([
      ["hello", "r2", "staging", "deploying"],
      ["other", "r1", "production", "live"],
    ]);
  });

  it("gives DORA the releases since a time, without their configs", () => {
    deployAt("hello", 10);
    deployAt("hello", 20);
    deployAt("other", 30);
    expect(store.releases.deliveryRecords("hello", 15)).toEqual([
      {
        app: "hello",
        env: "production",
        startedAt: new Date(20).toISOString(),
        finishedAt: new Date(21).toISOString(),
        outcome: "live",
        trigger: "cli",
        commitTime: new Date(10).toISOString(),
        wentLiveAt: new Date(21).toISOString(),
      },
    ]);
    expect(store.releases.deliveryRecords(undefined, 0).map((r) => r.app)).toEqual([
      "hello",
      "hello",
      "other",
    ]);
  });

  it("acknowledges an open incident once, and counts open incidents per app", () => {
    const open = (app: string, monitor: string) =>
      store.incidents.open({
        app,
        monitor,
        target: "t",
        cause: "c",
        release: null,
        startedAt: 1,
        openedAt: 2,
      });
    open("hello", "db");
    open("hello", "home");
    open("other", "db");
    store.incidents.resolve("other", "db", 3);
    const [newest] = store.incidents.list({ app: "hello" });
    expect(store.incidents.acknowledge(Number(newest!.id), "dashboard", 5000)).toBe(true);
    expect(store.incidents.acknowledge(Number(newest!.id), "someone else", 6000)).toBe(false);
    expect(store.incidents.acknowledge(999, "dashboard", 6000)).toBe(false);
    expect(
      store.incidents.list({ app: "hello" }).map((i) => [i.monitor, i.acknowledgedAt, i.acknowledgedBy]),
    ).toEqual([
      ["home", new Date(5000).toISOString(), "dashboard"],
      ["db", null, null],
    ]);
    expect([...store.incidents.openByApp()]).toEqual([["hello", 2]]);
  });

  it("tells subscribers of every event added, until they unsubscribe", () => {
    const seen: string[] = [];
    const unsubscribe = store.events.subscribe((e) => seen.push(`${e.release}:${e.name}`));
    store.events.add({ app: "hello", release: "r1", kind: "step", name: "started", at: 1 });
    unsubscribe();
    store.events.add({ app: "hello", release: "r1", kind: "step", name: "healthy", at: 2 });
    expect(seen).toEqual(["r1:started"]);
  });
});

describe("webhook deliveries", () => {
  it("remembers an id across a reopened ledger, and forgets it past the retention window", () => {
    expect(store.deliveries.remember("github:hello:d-1")).toBe(true);
    expect(store.deliveries.remember("github:hello:d-1")).toBe(false);
    store.close();
    let now = Date.now();
    store = new Store(join(dir, "skiff.db"));
    const deliveries = new Deliveries(store.db, 1_000, () => now);
    expect(deliveries.remember("github:hello:d-1")).toBe(false);
    expect(deliveries.has("github:hello:d-1")).toBe(true);
    now += 3_600_001;
    expect(deliveries.has("github:hello:d-1")).toBe(false);
    // Pruned, so received again as new.
    expect(deliveries.remember("github:hello:d-1")).toBe(true);
  });
});
