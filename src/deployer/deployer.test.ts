import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import * as tar from "tar";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseAppConfig } from "../config/load.js";
import type { AppConfig } from "../config/schema.js";
import { configForEnvironment } from "../environments/resolve.js";
import { OperationError } from "../errors.js";
import { ProxyServer } from "../proxy/proxy.js";
import { DataDir } from "../store/data-dir.js";
import { Store } from "../store/store.js";
import { useTempDirs, writeFiles } from "../test-support/git-fixtures.js";
import { rejection } from "../test-support/rejection.js";
import { Deployer } from "./deployer.js";
import type { DeployInput, DeployOutcome } from "./inputs.js";
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
function harness(dataDir = new DataDir(tempDir())) {
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
  });
  const outcomes: string[] = [];
  deployer.onOutcome((o: DeployOutcome) => outcomes.push(`${o.type} ${o.release.id}`));
  return { dataDir, store, runtime, serving, deployer, outcomes };
}

type Harness = ReturnType<typeof harness>;

async function upload(dataDir: DataDir, yaml = YAML): Promise<string> {
  const tree = tempDir();
  writeFiles(tree, { "skiff.yml": yaml, "server.js": "// the app\n" });
  const file = dataDir.upload(`u${Math.random().toString(16).slice(2)}`);
  await tar.c({ gzip: true, file, cwd: tree }, ["."]);
  return file;
}

async function deploy(
  h: Harness,
  options: { env?: string; yaml?: string; check?: DeployInput["check"]; signal?: AbortSignal } = {},
) {
  const env = options.env ?? "production";
  const registered: AppConfig = parseAppConfig(options.yaml ?? YAML, "skiff.yml");
  const events: OperationEvent[] = [];
  const file = await upload(h.dataDir, options.yaml);
  const release = await h.deployer.deploy(
    {
      app: "hello",
      env,
      registered,
      config: configForEnvironment(registered, env),
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
