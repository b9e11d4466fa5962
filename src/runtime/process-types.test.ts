import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { DataDir } from "../store/data-dir.js";
import { Store } from "../store/store.js";
import { useTempDirs } from "../test-support/git-fixtures.js";
import { until } from "../test-support/wait.js";
import type { InstanceGroup } from "./instance-group.js";
import { processEnvironment } from "./process-env.js";
import { Runtime } from "./runtime.js";

const tempDir = useTempDirs();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Writes what each process sees of its environment to env-<process>-<pid>.json in its storage. */
const WEB = `
const fs = require("node:fs");
const dump = () => fs.writeFileSync(process.env.SKIFF_STORAGE_DIR + "/env-web.json", JSON.stringify(process.env));
dump();
require("node:http").createServer((req, res) => res.end("ok")).listen(process.env.PORT, process.env.HOST);
`;
const WORKER = `
const fs = require("node:fs");
const dir = process.env.SKIFF_STORAGE_DIR;
// A job in progress when SIGTERM comes finishes first (stop_timeout gives it the time).
process.on("SIGTERM", () => setTimeout(() => { fs.writeFileSync(dir + "/job-finished", "yes"); process.exit(0); }, 200));
fs.writeFileSync(dir + "/env-worker.json", JSON.stringify(process.env));
fs.appendFileSync(dir + "/worker-starts.log", process.pid + "\\n");
console.log("worker up");
if (fs.existsSync(dir + "/crash")) { fs.rmSync(dir + "/crash"); process.exit(3); }
setInterval(() => {}, 1000);
`;

async function setup(yaml: string) {
  const dataDir = new DataDir(tempDir());
  dataDir.create();
  const store = new Store(dataDir.db);
  const runtime = new Runtime({ dataDir, store, logger: pino({ level: "silent" }) });
  cleanups.push(async () => {
    await runtime.stop();
    store.close();
  });
  const dir = dataDir.releaseDir("shop", "r1");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "server.js"), WEB);
  writeFileSync(join(dir, "worker.js"), WORKER);
  const config = parseAppConfig(yaml);
  const launch = () => runtime.launch({ app: "shop", env: "production", artifact: "r1", config });
  return { dataDir, store, runtime, config, launch, storage: dataDir.storageDir("shop", "production") };
}

const YAML = `app: shop
start: node server.js
processes:
  worker: { command: node worker.js, instances: 2, min_uptime: 300ms, stop_timeout: 5s }
healthcheck: { path: /, interval: 100ms }
`;

async function gated(group: InstanceGroup) {
  const gate = await group.gate(new AbortController().signal);
  expect(gate).toMatchObject({ ok: true });
  return gate;
}

describe("process types on real processes", () => {
  it("starts web and workers, gates workers on staying up, and gives each its environment", async () => {
    const s = await setup(YAML);
    const group = await s.launch();
    expect(
      group.instances.map((i) => `${i.process}.${i.idx}:${i.port === undefined ? "-" : "port"}`),
    ).toEqual(["web.0:port", "worker.0:-", "worker.1:-"]);
    const gate = await gated(group);
    expect(gate.ms).toBeGreaterThanOrEqual(300);
    const web = JSON.parse(readFileSync(join(s.storage, "env-web.json"), "utf8"));
    // Staying up 300ms does not mean node has run the script yet on a busy machine: wait for its file.
    const worker = JSON.parse(
      await until(
        "the worker wrote its environment",
        () =>
          existsSync(join(s.storage, "env-worker.json")) &&
          readFileSync(join(s.storage, "env-worker.json"), "utf8"),
      ),
    );
    expect(web).toMatchObject({
      SKIFF_PROCESS: "web",
      SKIFF_STORAGE_DIR: s.storage,
      SKIFF_ENV: "production",
    });
    expect(web.PORT).toBe(String(group.web[0]?.port));
    expect(worker).toMatchObject({
      SKIFF_PROCESS: "worker",
      SKIFF_STORAGE_DIR: s.storage,
      SKIFF_RELEASE: "r1",
    });
    expect(worker.PORT).toBeUndefined();
    expect(worker.HOST).toBeUndefined();
    // Each type has its own log; web's is the release log.
    await until("the worker's log has its output", () =>
      readFileSync(s.dataDir.logFile("shop", "r1", "worker"), "utf8").includes("worker up"),
    );
    expect(readFileSync(s.dataDir.logFile("shop", "r1"), "utf8")).not.toContain("worker up");
    expect(s.store.instances.running().map((r) => r.port === 0)).toEqual([false, true, true]);
  });

  it("fails the gate at once when a worker exits before its min_uptime", async () => {
    const s = await setup(YAML.replace("min_uptime: 300ms", "min_uptime: 30s"));
    mkdirSync(s.storage, { recursive: true });
    writeFileSync(join(s.storage, "crash"), "");
    const group = await s.launch();
    const gate = await group.gate(new AbortController().signal);
    // Whichever worker boots first finds the file and exits.
    expect(gate).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^worker [01] exited with code 3 before it was up 30s$/),
    });
    expect(gate.ms).toBeLessThan(30_000);
  });

  it("fails the gate when a worker's healthcheck.command fails", async () => {
    const s = await setup(
      YAML.replace("stop_timeout: 5s", "stop_timeout: 5s, healthcheck: { command: 'test -f ready' }"),
    );
    const group = await s.launch();
    expect(await group.gate(new AbortController().signal)).toMatchObject({
      ok: false,
      reason: "worker 0: healthcheck failed (exit code 1)",
    });
    writeFileSync(join(s.dataDir.releaseDir("shop", "r1"), "ready"), "");
    const again = await s.launch();
    await gated(again);
  });

  it("restarts a crashed worker with the backoff once supervised", async () => {
    const s = await setup(YAML);
    const group = await s.launch();
    await gated(group);
    group.supervise();
    const startsLog = () => readFileSync(join(s.storage, "worker-starts.log"), "utf8").trim().split("\n");
    // Up 300ms is not booted on a busy machine: kill it once it has run.
    await until(
      "both workers ran",
      () => existsSync(join(s.storage, "worker-starts.log")) && startsLog().length === 2,
    );
    const worker = group.others[0]!;
    const pid = worker.pid!;
    process.kill(-pid, "SIGKILL");
    await until("the worker restarted", () => worker.restarts === 1 && worker.pid !== pid && worker.pid);
    await until("the worker is up again", () => worker.state === "running" && worker.healthy);
    // The restarted process writes its pid once node has booted, which may be after its min_uptime.
    await until("the restarted worker ran", () => startsLog().includes(String(worker.pid)));
    expect(startsLog()).toHaveLength(3);
    expect(s.store.events.list("shop").map((e) => e.message)).toEqual(
      expect.arrayContaining([
        "worker 0 exited (killed by SIGKILL)",
        expect.stringMatching(/^restarting worker 0 in \d+ms/),
      ]),
    );
  });

  it("stops only the workers after a switch, letting a job finish within stop_timeout, and starts them again", async () => {
    const s = await setup(YAML);
    const group = await s.launch();
    await gated(group);
    group.supervise();
    await until("both workers installed their SIGTERM handler", () => {
      const file = join(s.storage, "worker-starts.log");
      return existsSync(file) && readFileSync(file, "utf8").trim().split("\n").length === 2;
    });
    expect(await group.stopOthers()).toBe(2);
    expect(readFileSync(join(s.storage, "job-finished"), "utf8")).toBe("yes");
    expect(group.others.map((i) => i.state)).toEqual(["stopped", "stopped"]);
    expect(group.web[0]?.state).toBe("running");
    expect(group.startOthers()).toBe(2);
    await until("the workers run again", () => group.others.every((i) => i.state === "starting" && i.pid));
  });

  it("composes one environment for every kind of process, skiff's variables last", () => {
    const release = {
      app: "shop",
      env: "staging",
      release: "r4",
      storageDir: "/data/storage/shop/staging",
      vars: { NODE_ENV: "production", DATABASE_URL: "secret" },
    };
    const release_ = processEnvironment(release, { process: "release" });
    expect(release_).toMatchObject({
      NODE_ENV: "production",
      DATABASE_URL: "secret",
      SKIFF_PROCESS: "release",
    });
    expect(release_.PORT).toBeUndefined();
    expect(
      processEnvironment(release, { process: "web", port: 4001, marker: { SKIFF_INSTANCE: "i-1" } }),
    ).toMatchObject({
      PORT: "4001",
      HOST: "127.0.0.1",
      SKIFF_INSTANCE: "i-1",
      SKIFF_STORAGE_DIR: "/data/storage/shop/staging",
    });
  });
});
