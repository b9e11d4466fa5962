import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { probe } from "../runtime/health-check.js";
import { healthGate } from "../runtime/health-gate.js";
import type { InstanceEvent } from "../runtime/instance.js";
import { LogFile } from "../runtime/log-file.js";
import { freePort } from "../runtime/ports.js";
import { buildImage } from "./build.js";
import { ContainerInstance, type ContainerInstanceOptions } from "./container-instance.js";
import { containerPort } from "./image.js";
import { LABEL } from "./labels.js";
import { applyReconcilePlan, listSkiffContainers, reconcilePlan } from "./reconcile.js";
import { type BuiltImage, TestImages, testEngine } from "./test-support/images.js";

const docker = await testEngine();
const AGENT = `t-inst-${process.pid}`;

/** A busybox "web app": prints a line, then serves /health with httpd on $PORT. */
const WEB =
  'echo "booting on $PORT with GREETING=$GREETING"; mkdir -p /www && echo ok > /www/health && exec httpd -f -p "$PORT" -h /www';
const CHECK = {
  path: "/health",
  intervalMs: 100,
  timeoutMs: 1_000,
  healthyThreshold: 2,
  deployTimeoutMs: 60_000,
};

describe.skipIf(!docker)("ContainerInstance on a real engine", () => {
  const engine = docker as Docker;
  let images: TestImages;
  let busybox: BuiltImage;
  let dir: string;
  let log: LogFile;
  const live: ContainerInstance[] = [];
  let events: Array<{ instance: ContainerInstance; event: InstanceEvent }> = [];

  beforeAll(async () => {
    images = new TestImages(engine);
    busybox = await images.busybox();
    dir = mkdtempSync(join(tmpdir(), "skiff-container-instance-"));
    log = new LogFile(join(dir, "release.log"));
  });

  afterEach(async () => {
    await Promise.all(live.splice(0).map((i) => i.stop()));
    events = [];
  });

  afterAll(async () => {
    await images?.removeContainersOf(AGENT);
    log?.close();
    await images?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function instance(options: Partial<ContainerInstanceOptions> = {}): Promise<ContainerInstance> {
    const created = new ContainerInstance({
      docker: engine,
      agent: AGENT,
      app: "hello",
      artifact: "r1",
      process: "web",
      idx: live.length,
      image: busybox.id,
      command: WEB,
      env: { GREETING: "hej" },
      port: await freePort(),
      containerPort: 8080,
      log,
      stopTimeoutMs: 5_000,
      onEvent: (i, event) => events.push({ instance: i, event }),
      ...options,
    });
    live.push(created);
    return created;
  }

  const named = (name: InstanceEvent["name"]) => events.filter((e) => e.event.name === name);
  const logText = () => readFileSync(log.path, "utf8");

  it("starts, passes the health gate on its published port, and keeps env out of argv and off other interfaces", async () => {
    const web = await instance({ env: { GREETING: "hej", API_TOKEN: "s3cr3t-value" } });
    web.start();
    const gate = await healthGate(web, CHECK, new AbortController().signal);
    expect(gate).toMatchObject({ ok: true });
    expect(named("spawned")).toHaveLength(1);
    expect(web.pid).toBeGreaterThan(0);
    expect(logText()).toContain("booting on 8080 with GREETING=hej");

    const info = await engine.getContainer(web.containerId!).inspect();
    expect(info.Config.Env).toEqual(
      expect.arrayContaining(["API_TOKEN=s3cr3t-value", "PORT=8080", "HOST=0.0.0.0"]),
    );
    expect(JSON.stringify([info.Path, info.Args, info.Config.Cmd])).not.toContain("s3cr3t-value");
    expect(info.Config.Labels).toMatchObject({
      [LABEL.agent]: AGENT,
      [LABEL.app]: "hello",
      [LABEL.release]: "r1",
      [LABEL.instance]: web.id,
      [LABEL.process]: "web",
    });
    expect(info.NetworkSettings.Ports["8080/tcp"]).toEqual([
      { HostIp: "127.0.0.1", HostPort: String(web.port) },
    ]);
    expect(info.HostConfig.Init).toBe(true);

    await web.stop();
    expect(web.state).toBe("stopped");
    expect(named("stopped")).toHaveLength(1);
    expect(logText()).not.toContain("did not stop in time");
    await expect(engine.getContainer(web.containerId!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await probe("127.0.0.1", web.port!, "/health", 500)).ok).toBe(false);
  });

  it("fails the gate at once, with the exit code, when the container exits before it is healthy", async () => {
    const broken = await instance({ command: "echo cannot find the database; exit 3" });
    broken.start();
    const gate = await healthGate(broken, CHECK, new AbortController().signal);
    expect(gate).toMatchObject({ ok: false, reason: "instance 0 exited with code 3 before it was healthy" });
    expect(logText()).toContain("cannot find the database");
  });

  it("an image the engine does not have fails the gate, and the log says why", async () => {
    const missing = await instance({ image: `sha256:${"0".repeat(64)}` });
    missing.start();
    const gate = await healthGate(missing, CHECK, new AbortController().signal);
    expect(gate.ok).toBe(false);
    expect(logText()).toMatch(/instance 0 could not start: .*No such image/i);
  });

  it("restarts a crashed container with backoff while supervised, reusing the container and its storage mount", async () => {
    const storage = join(dir, "storage");
    mkdirSync(storage);
    const crashing = await instance({
      command: "echo start >> /data/starts; exit 1",
      mounts: [{ source: storage, target: "/data" }],
    });
    crashing.supervised = true;
    crashing.start();
    await vi.waitFor(() => expect(named("spawned").length).toBeGreaterThanOrEqual(3), {
      timeout: 60_000,
      interval: 50,
    });
    expect(
      named("restarting")
        .slice(0, 2)
        .map((e) => e.event.data?.delayMs),
    ).toEqual([100, 250]);
    expect(new Set(named("spawned").map((e) => e.event.data?.container)).size).toBe(1);
    expect(crashing.lastExit).toEqual({ code: 1, signal: null });
    await crashing.stop();
    const starts = readFileSync(join(storage, "starts"), "utf8").trim().split("\n");
    expect(starts.length).toBeGreaterThanOrEqual(3);
    // Stopped means stopped: the container is gone, so no pending restart has anything to start.
    expect(crashing.state).toBe("stopped");
    await expect(engine.getContainer(crashing.containerId!).inspect()).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("stop honours stop_timeout: an app that ignores SIGTERM is killed once it has passed", async () => {
    const stubborn = await instance({
      command: `trap "" TERM; echo ignoring TERM; while true; do sleep 1; done`,
      stopTimeoutMs: 600,
    });
    stubborn.start();
    await vi.waitFor(() => expect(logText()).toContain("ignoring TERM"), { timeout: 60_000, interval: 50 });
    const started = Date.now();
    await stubborn.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(logText()).toContain(`instance ${stubborn.idx} did not stop in time: killed`);
  });

  it("passes memory and CPU limits to the engine, and says so when the memory limit kills the app", async () => {
    const hungry = await instance({
      command: "dd if=/dev/zero of=/dev/null bs=64M count=1",
      limits: { memoryBytes: 16 * 1024 * 1024, cpus: 0.5 },
    });
    hungry.start();
    await hungry.whenExited();
    const info = await engine.getContainer(hungry.containerId!).inspect();
    expect(info.HostConfig.Memory).toBe(16 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect(hungry.lastExit).toEqual({ code: null, signal: "SIGKILL" });
    expect(logText()).toContain(
      `instance ${hungry.idx} was killed for using more than its memory limit (16777216 bytes)`,
    );
  });

  it("after an agent crash, finds its containers by label and removes both the recorded and the unrecorded ones", async () => {
    const recorded = await instance();
    const unrecorded = await instance();
    recorded.start();
    unrecorded.start();
    await Promise.all([recorded, unrecorded].map((i) => healthGate(i, CHECK, new AbortController().signal)));

    const found = await listSkiffContainers(engine, AGENT, { app: "hello" });
    expect(found.map((c) => c.instance).sort()).toEqual([recorded.id, unrecorded.id].sort());
    expect(found.find((c) => c.instance === recorded.id)).toMatchObject({
      running: true,
      hostPort: recorded.port,
      release: "r1",
    });

    const plan = reconcilePlan(found, new Set([recorded.id, "i-gone"]));
    expect(plan.leftBehind.map((c) => c.instance)).toEqual([recorded.id]);
    expect(plan.orphans.map((c) => c.instance)).toEqual([unrecorded.id]);
    expect(await applyReconcilePlan(engine, plan, 2_000)).toBe(2);
    expect(await listSkiffContainers(engine, AGENT)).toEqual([]);
    expect((await probe("127.0.0.1", recorded.port!, "/health", 500)).ok).toBe(false);
  });
});

describe.skipIf(!docker)("a Node app in a container", () => {
  const engine = docker as Docker;
  let images: TestImages;
  let dir: string;
  let log: LogFile;

  beforeAll(async () => {
    images = new TestImages(engine);
    dir = mkdtempSync(join(tmpdir(), "skiff-node-app-"));
    log = new LogFile(join(dir, "release.log"));
  });

  afterAll(async () => {
    await images?.removeContainersOf(AGENT);
    log?.close();
    await images?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds from a Dockerfile over the node base, listens on the EXPOSEd port, and serves through 127.0.0.1", async () => {
    const node = await images.node();
    const src = images.tempDir("node-app-src");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      join(src, "server.js"),
      `require("node:http").createServer((req, res) => res.end(req.url === "/health" ? "ok" : "hello from " + process.env.SKIFF_RELEASE)).listen(process.env.PORT, process.env.HOST);\n`,
    );
    writeFileSync(
      join(src, "Dockerfile"),
      `ARG BASE\nFROM $BASE\nCOPY server.js /app/server.js\nEXPOSE 4000\nCMD ["node", "/app/server.js"]\n`,
    );
    const image = await buildImage(engine, {
      contextDir: src,
      dockerfile: "Dockerfile",
      buildArgs: { BASE: node.tag },
      tag: `skiff-test/node-app:${images.run}`,
      labels: {},
      log,
    });
    images.track("image", image.id);
    const app = new ContainerInstance({
      docker: engine,
      agent: AGENT,
      app: "hello",
      artifact: "r7",
      process: "web",
      idx: 0,
      image: image.id,
      env: {},
      port: await freePort(),
      containerPort: containerPort(undefined, image),
      log,
      stopTimeoutMs: 5_000,
      onEvent: () => {},
    });
    try {
      app.start();
      expect(await healthGate(app, CHECK, new AbortController().signal)).toMatchObject({ ok: true });
      const body = await fetch(`http://127.0.0.1:${app.port}/`).then((r) => r.text());
      expect(body).toBe("hello from r7");
    } finally {
      await app.stop();
    }
    expect(app.state).toBe("stopped");
  });
});
