import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { healthGate } from "../runtime/health-gate.js";
import { LogFile } from "../runtime/log-file.js";
import { freePort } from "../runtime/ports.js";
import { requireExternal } from "../test-support/external.js";
import { Accessories } from "./accessories.js";
import { ContainerInstance } from "./container-instance.js";
import { removeNetwork } from "./network.js";
import { runOneOff } from "./one-off.js";
import { type BuiltImage, TestImages, testEngine } from "./test-support/images.js";

const run = promisify(execFile);
const docker = await testEngine();
const AGENT = `t-acc-${process.pid}`;
const POSTGRES_BIN = "/usr/lib/postgresql/15/bin/postgres";
const postgresMissing =
  !docker ||
  requireExternal(
    "PostgreSQL 15 (its binaries make the accessory image)",
    "postgresql",
    existsSync(POSTGRES_BIN) && existsSync("/usr/bin/psql"),
  );

function accessoriesOf(yaml: string) {
  return parseAppConfig(`app: shop\nimage: app:1\naccessories:\n${yaml}`).accessories;
}

describe.skipIf(postgresMissing)("a PostgreSQL accessory built from Debian's packages", () => {
  const engine = docker as Docker;
  const password = `pw-${process.pid}-x`;
  let images: TestImages;
  let postgres: BuiltImage;
  let busybox: BuiltImage;
  let dir: string;
  let log: LogFile;
  let accessories: Accessories;
  let configs: ReturnType<typeof accessoriesOf>;

  beforeAll(async () => {
    images = new TestImages(engine);
    [postgres, busybox] = await Promise.all([images.postgres(), images.busybox()]);
    dir = mkdtempSync(join(tmpdir(), "skiff-accessories-"));
    log = new LogFile(join(dir, "accessories.log"));
    accessories = new Accessories({
      docker: engine,
      agent: AGENT,
      app: "shop",
      env: "production",
      storageDir: join(dir, "storage", "shop", "production"),
      secrets: (name) => (name === "DB_PASSWORD" ? password : undefined),
    });
    configs = accessoriesOf(`
  db:
    image: ${postgres.tag}
    env: { POSTGRES_DB: shop }
    secrets: { POSTGRES_PASSWORD: DB_PASSWORD }
    volumes: ["data:/var/lib/postgresql/data"]
    healthcheck: { command: "pg_isready -U postgres", interval: 1s, timeout: 5s, retries: 30 }
    stop_timeout: 10s
    app_env:
      DATABASE_URL: "postgres://postgres:\${POSTGRES_PASSWORD}@\${HOST}:\${PORT}/shop"
`);
  }, 120_000);

  afterAll(async () => {
    await accessories?.remove("db", { stopTimeoutMs: 5_000 });
    await images?.removeContainersOf(AGENT);
    if (accessories) await removeNetwork(engine, accessories.network);
    log?.close();
    await images?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const psql = async (url: string, sql: string) => (await run("psql", [url, "-tAc", sql])).stdout.trim();

  it("starts with its data in the app's storage, healthy, reachable by host tools and by the app's containers", async () => {
    const started = await accessories.start("db", configs.db!, log);
    expect(started).toMatchObject({ state: "running", containerPort: 5432 });
    const healthy = await accessories.waitHealthy("db", 90_000);
    expect(healthy.health).toBe("healthy");
    expect(existsSync(join(dir, "storage/shop/production/accessories/db/data/PG_VERSION"))).toBe(true);

    const hostEnv = await accessories.appEnv(configs, "host");
    expect(hostEnv).toEqual({
      DATABASE_URL: `postgres://postgres:${password}@127.0.0.1:${healthy.hostPort}/shop`,
    });
    await psql(
      hostEnv.DATABASE_URL!,
      "CREATE TABLE orders (item text); INSERT INTO orders VALUES ('before any deploy')",
    );

    const containerEnv = await accessories.appEnv(configs, "container");
    expect(containerEnv).toEqual({ DATABASE_URL: `postgres://postgres:${password}@db:5432/shop` });
    const reach = await runOneOff(
      engine,
      {
        name: `skiff-${AGENT}-reach`,
        image: busybox.id,
        labels: {},
        env: containerEnv,
        command: "nc -w 5 db 5432 </dev/null && echo reached db",
        network: { name: accessories.network, aliases: [] },
      },
      { log, timeoutMs: 30_000, stopTimeoutMs: 1_000 },
    );
    expect(reach).toEqual({ code: 0, timedOut: false });
    expect(await accessories.logs("db", { tail: 50 })).toContain(
      "database system is ready to accept connections",
    );
  });

  it("app deploys start and stop app containers on its network; the accessory and its data are untouched", async () => {
    const before = await accessories.status("db");
    for (const release of ["r1", "r2", "r3"]) {
      const web = new ContainerInstance({
        docker: engine,
        agent: AGENT,
        app: "shop",
        artifact: release,
        process: "web",
        idx: 0,
        image: busybox.id,
        command:
          'nc -w 5 db 5432 </dev/null || exit 7; mkdir -p /www && echo ok > /www/health && exec httpd -f -p "$PORT" -h /www',
        env: await accessories.appEnv(configs, "container"),
        port: await freePort(),
        containerPort: 8080,
        network: { name: accessories.network, aliases: [] },
        log,
        stopTimeoutMs: 2_000,
        onEvent: () => {},
      });
      web.start();
      const gate = await healthGate(
        web,
        { path: "/health", intervalMs: 100, timeoutMs: 1_000, healthyThreshold: 1, deployTimeoutMs: 30_000 },
        new AbortController().signal,
      );
      await web.stop();
      expect(gate).toMatchObject({ ok: true });
    }
    const after = await accessories.status("db");
    expect(after).toMatchObject({
      containerId: before.containerId,
      startedAt: before.startedAt,
      state: "running",
    });
    const { DATABASE_URL } = await accessories.appEnv(configs, "host");
    expect(await psql(DATABASE_URL!, "SELECT item FROM orders")).toBe("before any deploy");
  });

  it("stop and start resume the same container; a changed config recreates it on the same port with the same data", async () => {
    const first = await accessories.status("db");
    expect(await accessories.stop("db", configs.db!)).toBe("stopped");
    expect((await accessories.status("db")).state).toBe("stopped");
    await accessories.start("db", configs.db!, log);
    const resumed = await accessories.waitHealthy("db", 60_000);
    expect(resumed).toMatchObject({ containerId: first.containerId, hostPort: first.hostPort });

    const changed = accessoriesOf(`
  db:
    image: ${postgres.tag}
    env: { POSTGRES_DB: shop, TZ: UTC }
    secrets: { POSTGRES_PASSWORD: DB_PASSWORD }
    volumes: ["data:/var/lib/postgresql/data"]
    healthcheck: { command: "pg_isready -U postgres", interval: 1s, timeout: 5s, retries: 30 }
`);
    await accessories.start("db", changed.db!, log);
    const recreated = await accessories.waitHealthy("db", 60_000);
    expect(recreated.containerId).not.toBe(first.containerId);
    expect(recreated.hostPort).toBe(first.hostPort);
    const { DATABASE_URL } = await accessories.appEnv(configs, "host");
    expect(await psql(DATABASE_URL!, "SELECT item FROM orders")).toBe("before any deploy");
  });
});

describe.skipIf(!docker)("accessory rules on a real engine", () => {
  const engine = docker as Docker;
  let images: TestImages;
  let busybox: BuiltImage;
  let dir: string;
  let accessories: Accessories;

  beforeAll(async () => {
    images = new TestImages(engine);
    busybox = await images.busybox();
    dir = mkdtempSync(join(tmpdir(), "skiff-accessory-rules-"));
    accessories = new Accessories({
      docker: engine,
      agent: AGENT,
      app: "rules",
      env: "staging",
      storageDir: join(dir, "storage"),
      secrets: () => undefined,
    });
  });

  afterAll(async () => {
    await images?.removeContainersOf(AGENT);
    if (accessories) await removeNetwork(engine, accessories.network);
    await images?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a secret the agent does not have is refused before anything is created", async () => {
    const configs = accessoriesOf(
      `  cache:\n    image: ${busybox.tag}\n    port: 6379\n    secrets: [REDIS_PASSWORD]\n`,
    );
    await expect(accessories.start("cache", configs.cache!)).rejects.toThrow(
      "accessories.cache.secrets.REDIS_PASSWORD: REDIS_PASSWORD is not set in the agent's secret store or environment (skiff secrets set REDIS_PASSWORD)",
    );
    expect((await accessories.status("cache")).state).toBe("missing");
  });

  it("an image that exposes no port needs port:", async () => {
    const configs = accessoriesOf(`  cache:\n    image: ${busybox.tag}\n`);
    await expect(accessories.start("cache", configs.cache!)).rejects.toThrow(
      `accessories.cache.port: ${busybox.tag} exposes no port; set port:`,
    );
  });

  it("without a healthcheck it is ready when its port accepts connections; logs show its output", async () => {
    const configs = accessoriesOf(
      `  cache:\n    image: ${busybox.tag}\n    port: 6379\n    command: "echo cache up; exec httpd -f -p 6379"\n`,
    );
    await accessories.start("cache", configs.cache!);
    const status = await accessories.waitHealthy("cache", 30_000);
    expect(status).toMatchObject({ state: "running", health: undefined, containerPort: 6379 });
    expect(status.hostPort).toBeGreaterThan(0);
    expect(await accessories.logs("cache", { tail: 5 })).toContain("cache up");
    expect(await accessories.stop("cache", { stopTimeoutMs: 2_000 })).toBe("stopped");
    expect(await accessories.stop("cache", { stopTimeoutMs: 2_000 })).toBe("not running");
  });
});
