import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import * as tar from "tar";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseAppConfig } from "../config/load.js";
import type { AppConfig } from "../config/schema.js";
import { isPreview, previewSlugOf } from "../environments/names.js";
import { configForEnvironment } from "../environments/resolve.js";
import { OperationError } from "../errors.js";
import { ProxyServer } from "../proxy/proxy.js";
import { DataDir } from "../store/data-dir.js";
import { Store } from "../store/store.js";
import { useTempDirs, writeFiles } from "../test-support/git-fixtures.js";
import { rejection } from "../test-support/rejection.js";
import { Deployer } from "./deployer.js";
import type { DeployInput, DeployOutcome } from "./inputs.js";
import type { BackupBeforeRelease } from "./run.js";
import { Serving } from "./serving.js";
import type { OperationEvent } from "./steps.js";
import { FakeRuntime } from "./test-support/fake-runtime.js";

const tempDir = useTempDirs();
const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

const YAML = `app: hello
start: node server.js
host: hello.test
build: echo built > built.txt
environments:
  staging: { host: staging.hello.test }
`;

/** A deployer on a real ledger and data directory, with a runtime that spawns nothing. */
function harness(dataDir = new DataDir(tempDir()), backupBeforeRelease?: BackupBeforeRelease) {
  dataDir.create();
  const store = new Store(dataDir.db);
  stores.push(store);
  const runtime = new FakeRuntime(dataDir, store);
  // Never started: serving only needs its routing table.
  const serving = new Serving(
    new ProxyServer({ host: "127.0.0.1", port: 0 }),
    runtime,
    pino({ level: "silent" }),
  );
  const deployer = new Deployer({
    store,
    dataDir,
    runtime,
    serving,
    logger: pino({ level: "silent" }),
    bootId: "t",
    ...(backupBeforeRelease ? { backupBeforeRelease } : {}),
  });
  const outcomes: string[] = [];
  deployer.onOutcome((o: DeployOutcome) => outcomes.push(`${o.type} ${o.release.id}`));
  return { dataDir, store, runtime, serving, deployer, outcomes };
}

type Harness = ReturnType<typeof harness>;

async function upload(dataDir: DataDir, yaml = YAML, files: Record<string, string> = {}): Promise<string> {
  const tree = tempDir();
  writeFiles(tree, { "skiff.yml": yaml, "server.js": "// the app\n", ...files });
  const file = dataDir.upload(`u${Math.random().toString(16).slice(2)}`);
  await tar.c({ gzip: true, file, cwd: tree }, ["."]);
  return file;
}

async function deploy(
  h: Harness,
  options: {
    env?: string;
    yaml?: string;
    check?: DeployInput["check"];
    signal?: AbortSignal;
    files?: Record<string, string>;
  } = {},
) {
  const env = options.env ?? "production";
  const registered: AppConfig = parseAppConfig(options.yaml ?? YAML, "skiff.yml");
  const events: OperationEvent[] = [];
  const file = await upload(h.dataDir, options.yaml, options.files);
  const release = await h.deployer.deploy(
    {
      app: "hello",
      env,
      registered,
      config: isPreview(env)
        ? { ...registered, hosts: [`${previewSlugOf(env)}.preview.hello.test`] }
        : configForEnvironment(registered, env),
      upload: file,
      uploadBytes: 2048,
      uploadFiles: 3,
      uploadMs: 5,
      // A new commit each time: versions count from commits that went live.
      commit: { sha: randomBytes(20).toString("hex"), message: "change", author: "tester", time: Date.now() },
      deployedBy: "tester",
      trigger: "cli",
      wait: false,
      ...(options.check ? { check: options.check } : {}),
    },
    (e) => events.push(e),
    options.signal ?? new AbortController().signal,
  );
  expect(existsSync(file)).toBe(false);
  return { release, events };
}

function failure(promise: Promise<unknown>): Promise<OperationError> {
  return rejection(promise, OperationError);
}

function stepNames(events: OperationEvent[]): string[] {
  return events.flatMap((e) => (e.type === "step" ? [`${e.step}${e.ok ? "" : " ✗"}`] : []));
}

function ledgerSteps(h: Harness, release: string): string[] {
  return h.store.events
    .list("hello", { release })
    .filter((e) => e.kind === "step")
    .map((e) => `${e.name}${e.ok ? "" : " ✗"}`);
}

/** A deploy's steps up to its switch, with a build. */
const UP_TO_SWITCHED = ["received", "unpacked", "built", "started", "healthy", "switched"];

describe("the deploy pipeline", () => {
  it("runs every step in order, records each, and switches the release live", async () => {
    const h = harness();
    const { release, events } = await deploy(h);
    expect(stepNames(events)).toEqual([...UP_TO_SWITCHED, "finished"]);
    expect(ledgerSteps(h, "r1")).toEqual(stepNames(events));
    expect(events[0]).toMatchObject({ message: "2.0 KB, 3 entries" });
    expect(release).toMatchObject({ id: "r1", status: "live", version: "0.1.0" });
    expect(readFileSync(join(h.dataDir.releaseDir("hello", "r1"), "built.txt"), "utf8")).toBe("built\n");
    expect(h.runtime.artifacts()).toEqual(["r1"]);
    expect(h.serving.live("hello")?.release).toBe("r1");
    expect(h.outcomes).toEqual(["live r1"]);
  });

  it("drains the previous release and keeps it warm; the next version is a patch above", async () => {
    const h = harness();
    await deploy(h);
    const { release, events } = await deploy(h);
    expect(stepNames(events)).toEqual([...UP_TO_SWITCHED, "drained", "finished"]);
    expect(events.find((e) => e.type === "step" && e.step === "drained")).toMatchObject({
      message: "r1: all in-flight requests finished, kept warm 300s",
    });
    expect(release.version).toBe("0.1.1");
    expect(h.serving.warm("hello").map((w) => w.group.artifact)).toEqual(["r1"]);
    expect(h.store.releases.get("hello", "r1")?.status).toBe("superseded");
  });

  it("fails a release whose gate fails: stops it, keeps the previous one serving, and says so", async () => {
    const h = harness();
    await deploy(h);
    h.runtime.gates.set("r2", { ok: false, ms: 5000, reason: "not healthy after 5s; last check: HTTP 500" });
    const error = await failure(deploy(h));
    expect(error.message).toBe("not healthy after 5s; last check: HTTP 500");
    expect(error.hint).toBe("r1 is still live and serving hello");
    expect(ledgerSteps(h, "r2")).toEqual([
      "received",
      "unpacked",
      "built",
      "started",
      "healthy ✗",
      "failed ✗",
    ]);
    expect(h.runtime.launched[1]?.stopped).toBe(true);
    expect(h.runtime.launched[0]?.stopped).toBe(false);
    expect(h.serving.live("hello")?.release).toBe("r1");
    expect(h.store.releases.get("hello", "r2")).toMatchObject({ status: "failed", reason: error.message });
    expect(h.outcomes).toEqual(["live r1", "failed r2"]);
  });

  it("stops at a failed check before anything starts, with its findings", async () => {
    const h = harness();
    const check = async () => ({
      ok: false,
      message: "preflight found 1 blocking problem",
      details: ["a.js:1:1 leak"],
    });
    const error = await failure(deploy(h, { check }));
    expect(error).toMatchObject({
      message: "preflight found 1 blocking problem",
      details: ["a.js:1:1 leak"],
    });
    expect(error.hint).toBe("hello has no live release");
    expect(ledgerSteps(h, "r1")).toEqual(["received", "unpacked", "checked ✗", "failed ✗"]);
    expect(h.runtime.artifacts()).toEqual([]);
  });

  it("stops between steps when the client goes away", async () => {
    const h = harness();
    const client = new AbortController();
    const check = async () => {
      client.abort();
      return { ok: true, message: "nothing found", details: [] };
    };
    const error = await failure(deploy(h, { check, signal: client.signal }));
    expect(error.message).toBe("cancelled by the client");
    expect(ledgerSteps(h, "r1")).toEqual(["received", "unpacked", "checked", "failed ✗"]);
    expect(h.runtime.artifacts()).toEqual([]);
  });

  it("refuses a host another deployment routes before anything runs", async () => {
    const h = harness();
    await deploy(h);
    const error = await failure(
      deploy(h, { env: "staging", yaml: YAML.replace("staging.hello.test", "hello.test") }),
    );
    expect(error.message).toMatch(/host hello.test is already routed/);
    expect(h.runtime.artifacts()).toEqual(["r1"]);
  });
});

describe("rollback and promote", () => {
  it("puts a warm release back without a start or a gate", async () => {
    const h = harness();
    await deploy(h);
    await deploy(h);
    const events: OperationEvent[] = [];
    const release = await h.deployer.rollback(
      { app: "hello", requestedBy: "tester", wait: false },
      (e) => events.push(e),
      new AbortController().signal,
    );
    // The answer comes at the switch; the drain goes on in the background, under the lease.
    expect(stepNames(events)).toEqual(["started", "switched"]);
    expect(release).toMatchObject({ id: "r3", artifact: "r1", trigger: "rollback", version: "0.1.0" });
    await vi.waitFor(() => expect(h.store.leases.get("hello")).toBeUndefined());
    expect(ledgerSteps(h, "r3")).toEqual(["started", "switched", "drained", "finished"]);
    expect(stepNames(events)).toEqual(["started", "switched"]);
    expect(h.runtime.artifacts()).toEqual(["r1", "r2"]);
    expect(h.store.releases.get("hello", "r2")).toMatchObject({
      status: "rolled-back",
      reason: "rolled back to r1",
    });
  });

  it("starts a release that is no longer warm from its files, gates it, then switches", async () => {
    const h = harness();
    const yaml = `${YAML}rollback_window: 0s\n`;
    await deploy(h, { yaml });
    await deploy(h, { yaml });
    const events: OperationEvent[] = [];
    await h.deployer.rollback(
      { app: "hello", to: "v0.1.0", requestedBy: "tester", wait: false },
      (e) => events.push(e),
      new AbortController().signal,
    );
    expect(stepNames(events)).toEqual(["started", "healthy", "switched"]);
    await vi.waitFor(() => expect(h.store.leases.get("hello")).toBeUndefined());
    expect(ledgerSteps(h, "r3")).toEqual(["started", "healthy", "switched", "drained", "finished"]);
    expect(events[0]).toMatchObject({ message: expect.stringMatching(/^cold start of pid undefined :\d+$/) });
    expect(h.runtime.artifacts()).toEqual(["r1", "r2", "r1"]);
  });

  it("promotes the same build with the other environment's config", async () => {
    const h = harness();
    await deploy(h, { env: "staging" });
    const release = await h.deployer.promote(
      { app: "hello", from: "staging", to: "production", requestedBy: "tester", wait: false },
      () => undefined,
      new AbortController().signal,
    );
    expect(release).toMatchObject({
      id: "r2",
      env: "production",
      artifact: "r1",
      trigger: "promote",
      version: "0.1.0",
    });
    expect(release.config.hosts).toEqual(["hello.test"]);
    expect(h.runtime.launched.map((g) => [g.artifact, g.options.config.hosts[0]])).toEqual([
      ["r1", "staging.hello.test"],
      ["r1", "hello.test"],
    ]);
    expect(h.serving.live("hello")?.release).toBe("r2");
    expect(h.serving.live("hello/staging")?.release).toBe("r1");
  });
});

describe("recovery after a restart", () => {
  it("fails unfinished deploys and brings live releases back through the same start and gate", async () => {
    const first = harness();
    await deploy(first);
    await deploy(first, { env: "staging" });
    first.store.releases.create({
      app: "hello",
      trigger: "cli",
      commit: null,
      deployedBy: "tester",
      config: first.store.releases.get("hello", "r1")!.config,
      now: Date.now(),
    });
    first.store.close();
    stores.splice(stores.indexOf(first.store), 1);

    const second = harness(first.dataDir);
    second.runtime.gates.set("r2", { ok: false, ms: 5000, reason: "not healthy after 5s" });
    await second.deployer.recover(new AbortController().signal);
    expect(second.store.releases.get("hello", "r3")).toMatchObject({
      status: "failed",
      reason: "the agent stopped during this deploy",
    });
    expect(second.runtime.artifacts().sort()).toEqual(["r1", "r2"]);
    expect(second.serving.live("hello")?.release).toBe("r1");
    expect(second.serving.live("hello/staging")).toBeUndefined();
    expect(second.runtime.launched.find((g) => g.artifact === "r2")?.stopped).toBe(true);
    const agentEvents = second.store.events
      .list("hello")
      .filter((e) => e.kind === "agent")
      .map((e) => [e.release, e.name, e.message]);
    expect(agentEvents).toEqual(
      expect.arrayContaining([
        ["r1", "recovered", expect.stringMatching(/^r1 serves again after an agent restart/)],
        ["r2", "recover-failed", "could not bring r2 back: not healthy after 5s"],
      ]),
    );
    // Bringing a release back is not a new deploy of it: its history has no second set of steps.
    expect(ledgerSteps(second, "r1").filter((s) => s === "started")).toHaveLength(1);
    expect(second.outcomes).toEqual([]);
  });
});

/** skiff.yml of an app with storage, a dependency install, a release command and a worker. */
const FULL = `app: hello
start: node server.js
processes: { worker: node worker.js }
host: hello.test
install: mkdir -p node_modules/dep && echo installed-by-r > node_modules/dep/index.js && echo run >> ../installs.log
release: echo migrated >> "$SKIFF_STORAGE_DIR/migrations.log"
storage: [data, public/uploads]
environments:
  staging: { host: staging.hello.test }
`;
const LOCK = { "package.json": "{}\n", "package-lock.json": '{"lockfileVersion":3}\n' };

function stepMessage(events: OperationEvent[], step: string): string | undefined {
  const found = events.find((e) => e.type === "step" && e.step === step);
  return found?.type === "step" ? found.message : undefined;
}

describe("storage, the dependency cache and the release command", () => {
  it("links storage: paths, seeding storage from the upload once and never overwriting it", async () => {
    const h = harness();
    const first = await deploy(h, { yaml: FULL, files: { ...LOCK, "data/seed.txt": "from r1\n" } });
    expect(stepMessage(first.events, "unpacked")).toMatch(
      /storage: data \(seeded\), public\/uploads \(created\)$/,
    );
    const storage = h.dataDir.storageDir("hello", "production");
    expect(readFileSync(join(storage, "data/seed.txt"), "utf8")).toBe("from r1\n");
    const r1 = h.dataDir.releaseDir("hello", "r1");
    expect(lstatSync(join(r1, "data")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(r1, "data"))).toBe("../../../storage/hello/production/data");
    writeFileSync(join(r1, "data/written.txt"), "by the app\n");

    const second = await deploy(h, { yaml: FULL, files: { ...LOCK, "data/seed.txt": "from r2\n" } });
    expect(stepMessage(second.events, "unpacked")).toMatch(/data \(kept; the upload's copy left out\)/);
    const r2 = h.dataDir.releaseDir("hello", "r2");
    expect(readFileSync(join(r2, "data/seed.txt"), "utf8")).toBe("from r1\n");
    expect(readFileSync(join(r2, "data/written.txt"), "utf8")).toBe("by the app\n");
    expect(h.runtime.launches.map((l) => [l.artifact, l.env])).toEqual([
      ["r1", "production"],
      ["r2", "production"],
    ]);
  });

  it("installs when the lockfile changed and copies the previous release's paths when it did not", async () => {
    const h = harness();
    const installs = () => readFileSync(join(h.dataDir.path("releases", "hello"), "installs.log"), "utf8");
    const first = await deploy(h, { yaml: FULL, files: LOCK });
    expect(stepMessage(first.events, "installed")).toMatch(/^ran `mkdir -p node_modules/);
    expect(installs()).toBe("run\n");

    const second = await deploy(h, { yaml: FULL, files: { ...LOCK, "node_modules/stale.js": "uploaded\n" } });
    expect(stepNames(second.events)).toEqual([
      "received",
      "unpacked",
      "installed",
      "released",
      "started",
      "healthy",
      "switched",
      "drained",
      "finished",
    ]);
    expect(stepMessage(second.events, "installed")).toBe(
      "cached: package-lock.json unchanged; node_modules (1 files) from r1",
    );
    expect(installs()).toBe("run\n");
    const copied = join(h.dataDir.releaseDir("hello", "r2"), "node_modules/dep/index.js");
    const original = join(h.dataDir.releaseDir("hello", "r1"), "node_modules/dep/index.js");
    expect(readFileSync(copied, "utf8")).toBe("installed-by-r\n");
    // A hard link: the same file, in a directory of its own.
    expect(statSync(copied).ino).toBe(statSync(original).ino);
    expect(existsSync(join(h.dataDir.releaseDir("hello", "r2"), "node_modules/stale.js"))).toBe(false);

    await deploy(h, { yaml: FULL, files: { ...LOCK, "package-lock.json": '{"lockfileVersion":3,"x":1}\n' } });
    expect(installs()).toBe("run\nrun\n");
  });

  it("runs the install when the live release's install used another command", async () => {
    const h = harness();
    await deploy(h, { yaml: FULL, files: LOCK });
    const other = FULL.replace("echo run >>", "echo other >>");
    const { events } = await deploy(h, { yaml: other, files: LOCK });
    expect(stepMessage(events, "installed")).toMatch(/^ran /);
  });

  it("fails the deploy at its install step when the install fails, nothing started", async () => {
    const h = harness();
    const error = await failure(
      deploy(h, {
        yaml: FULL.replace(/^install: .*$/m, "install: echo no registry >&2; exit 3"),
        files: LOCK,
      }),
    );
    expect(error.message).toBe("the install failed (exit code 3)");
    expect(error.details).toContain("no registry");
    expect(ledgerSteps(h, "r1")).toEqual(["received", "unpacked", "installed ✗", "failed ✗"]);
    expect(h.runtime.artifacts()).toEqual([]);
  });

  it("runs the release command once per deploy with the storage, after the build, before the start", async () => {
    const h = harness();
    const { events } = await deploy(h, { yaml: `${FULL}build: echo built\n`, files: LOCK });
    expect(stepNames(events).slice(0, 6)).toEqual([
      "received",
      "unpacked",
      "installed",
      "built",
      "released",
      "started",
    ]);
    expect(stepMessage(events, "released")).toBe('`echo migrated >> "$SKIFF_STORAGE_DIR/migrations.log"`');
    const migrations = join(h.dataDir.storageDir("hello", "production"), "migrations.log");
    expect(readFileSync(migrations, "utf8")).toBe("migrated\n");
    await deploy(h, { yaml: FULL, files: LOCK });
    expect(readFileSync(migrations, "utf8")).toBe("migrated\nmigrated\n");
    // A rollback does not run it: migrations go forward only.
    await h.deployer.rollback(
      { app: "hello", requestedBy: "t", wait: false },
      () => undefined,
      new AbortController().signal,
    );
    expect(readFileSync(migrations, "utf8")).toBe("migrated\nmigrated\n");
  });

  it("fails the deploy at released when the command fails or times out; the previous release serves", async () => {
    const h = harness();
    await deploy(h, { yaml: FULL, files: LOCK });
    const failing = FULL.replace(/^release: .*$/m, "release: echo 'no such column' >&2; exit 1");
    const error = await failure(deploy(h, { yaml: failing, files: LOCK }));
    expect(error.message).toBe("the release command failed (exit code 1)");
    expect(error.details).toContain("no such column");
    expect(error.hint).toBe("r1 is still live and serving hello");
    expect(ledgerSteps(h, "r2")).toEqual(["received", "unpacked", "installed", "released ✗", "failed ✗"]);
    expect(h.runtime.artifacts()).toEqual(["r1"]);

    const slow = FULL.replace(/^release: .*$/m, "release: sleep 30\nrelease_timeout: 200ms");
    const timeout = await failure(deploy(h, { yaml: slow, files: LOCK }));
    expect(timeout.message).toBe("the release command failed (timed out after 200ms)");
    expect(h.serving.live("hello")?.release).toBe("r1");
  });

  it("backs up the databases before the release command; a failed backup fails the deploy before it runs", async () => {
    const calls: string[] = [];
    let fail = false;
    const h = harness(new DataDir(tempDir()), async (app, env, release) => {
      calls.push(`${app} ${env} ${release}`);
      if (fail)
        throw new OperationError('the backup of database "db" before the release command failed (b2)');
      return [{ id: "b1" }];
    });
    const yaml = `${FULL}backups: [{ sqlite: data/app.db }]\n`;
    const { events } = await deploy(h, { yaml, files: LOCK });
    expect(calls).toEqual(["hello production r1"]);
    expect(stepMessage(events, "released")).toBe(
      'backup b1, then `echo migrated >> "$SKIFF_STORAGE_DIR/migrations.log"`',
    );
    fail = true;
    const error = await failure(deploy(h, { yaml, files: LOCK }));
    expect(error.message).toMatch(/the backup of database "db" before the release command failed/);
    expect(ledgerSteps(h, "r2")).toEqual(["received", "unpacked", "installed", "released ✗", "failed ✗"]);
    const migrations = join(h.dataDir.storageDir("hello", "production"), "migrations.log");
    expect(readFileSync(migrations, "utf8")).toBe("migrated\n");
    // No backups: configured, nothing to back up.
    await deploy(h, { yaml: FULL, files: LOCK });
    expect(calls).toHaveLength(2);
  });

  it("stops the replaced release's workers at the switch and starts them again on a warm rollback", async () => {
    const h = harness();
    await deploy(h, { yaml: FULL, files: LOCK });
    await deploy(h, { yaml: FULL, files: LOCK });
    const [r1] = h.runtime.launched;
    expect(r1?.othersStopped).toBe(1);
    expect(r1?.stopped).toBe(false);
    const events: OperationEvent[] = [];
    await h.deployer.rollback(
      { app: "hello", requestedBy: "t", wait: false },
      (e) => events.push(e),
      new AbortController().signal,
    );
    expect(r1?.othersStarted).toBe(1);
    expect(stepMessage(events, "started")).toBe("r1 is warm: no start needed; 1 other process started again");
    expect(h.runtime.launched[1]?.othersStopped).toBe(1);
  });

  it("promotes with storage: into a copy of the build linked to the target environment's storage", async () => {
    const h = harness();
    await deploy(h, { env: "staging", yaml: FULL, files: { ...LOCK, "data/seed.txt": "seed\n" } });
    const events: OperationEvent[] = [];
    const release = await h.deployer.promote(
      { app: "hello", from: "staging", to: "production", requestedBy: "t", wait: false },
      (e) => events.push(e),
      new AbortController().signal,
    );
    expect(release).toMatchObject({ id: "r2", artifact: "r2", env: "production" });
    expect(stepNames(events).slice(0, 3)).toEqual(["unpacked", "released", "started"]);
    const r2 = h.dataDir.releaseDir("hello", "r2");
    expect(readlinkSync(join(r2, "data"))).toBe("../../../storage/hello/production/data");
    // Staging's data stays staging's: production's storage starts empty.
    expect(existsSync(join(r2, "data/seed.txt"))).toBe(false);
    expect(readlinkSync(join(h.dataDir.releaseDir("hello", "r1"), "data"))).toBe(
      "../../../storage/hello/staging/data",
    );
    expect(statSync(join(r2, "server.js")).ino).toBe(
      statSync(join(h.dataDir.releaseDir("hello", "r1"), "server.js")).ino,
    );
  });

  it("removes a preview's storage with the preview and keeps another environment's, saying where", async () => {
    const h = harness();
    await deploy(h, { env: "preview:feature", yaml: FULL, files: LOCK });
    await deploy(h, { env: "staging", yaml: FULL, files: LOCK });
    const preview = h.dataDir.storageDir("hello", "preview:feature");
    expect(existsSync(preview)).toBe(true);
    await h.deployer.remove("hello", "preview:feature", "branch deleted");
    expect(existsSync(preview)).toBe(false);
    await h.deployer.remove("hello", "staging", "removed by hand");
    const staging = h.dataDir.storageDir("hello", "staging");
    expect(existsSync(staging)).toBe(true);
    const removed = h.store.events
      .list("hello")
      .filter((e) => e.name === "removed")
      .map((e) => e.message);
    expect(removed).toEqual([
      "branch deleted",
      `removed by hand; its storage stays in ${staging} (delete it with: rm -rf '${staging}')`,
    ]);
  });
});
