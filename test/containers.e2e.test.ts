import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { StatusView } from "../src/agent/api-types.js";
import { AgentClient } from "../src/cli/client.js";
import { agentId, LABEL } from "../src/containers/labels.js";
import { type BuiltImage, TestImages, testEngine } from "../src/containers/test-support/images.js";
import { deploy, rollback, useAgentProcesses, useAgents } from "./support/agent.js";
import { commitFiles } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const docker = await testEngine();
const SQLITE = "/usr/bin/sqlite3";
const PSQL = "/usr/lib/postgresql/15/bin/psql";
const tempDir = useTempDirs();
const startAgent = useAgents();
const startAgentProcess = useAgentProcesses();

/**
 * The app: busybox httpd serving its version at /, /health, and /cgi-bin/visit, which counts visits in
 * a SQLite database in its storage (/app/data, bind-mounted from the agent's storage). A version named
 * `slow` sleeps before it listens (a deploy that is still starting).
 */
const START = `#!/bin/sh
mkdir -p /www/cgi-bin
cp /app/version /www/index.html
echo ok > /www/health
echo "$DATABASE_URL" > /www/db
cp /app/visit.cgi /www/cgi-bin/visit && chmod +x /www/cgi-bin/visit
if [ "$(cat /app/version)" = slow ]; then sleep 120; fi
exec httpd -f -p "$PORT" -h /www
`;
const VISIT = `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
${SQLITE} /app/data/visits.db "CREATE TABLE IF NOT EXISTS visits (version TEXT); INSERT INTO visits VALUES ('$(cat /app/version)'); SELECT count(*) FROM visits;" 2>&1
`;

function skiffYml(app: string, extra = ""): string {
  return `app: ${app}
dockerfile: Dockerfile
port: 8080
storage: [data]
healthcheck:
  path: /health
  interval: 100ms
  timeout: 1s
  healthy_threshold: 2
  deploy_timeout: 60s
drain_timeout: 2s
stop_timeout: 2s
rollback_window: 10m
${extra}`;
}

describe.skipIf(!docker)("container apps through a real agent and engine", () => {
  const engine = docker as Docker;
  let images: TestImages;
  let base: BuiltImage;
  const agents: string[] = [];

  beforeAll(async () => {
    images = new TestImages(engine);
    base = await images.busyboxWith("sqlite", [SQLITE]);
  }, 120_000);

  afterAll(async () => {
    // Whatever the tests left (accessories outlive their agent by design): every container, image and
    // network of the agents these tests ran.
    for (const agent of agents) {
      await images?.removeContainersOf(agent);
      const left = await engine.listImages({ filters: { label: [`${LABEL.agent}=${agent}`] } });
      for (const image of left)
        await engine
          .getImage(image.Id)
          .remove({ force: true })
          .catch(() => undefined);
      // And its networks (accessories): skiff-<agent>-<app>-<env>, by name (accessory-spec.ts).
      const networks = (await engine.listNetworks()).filter((n) => n.Name.startsWith(`skiff-${agent}-`));
      for (const network of networks) await engine.getNetwork(network.Id).remove();
    }
    await images?.cleanup();
  });

  function appRepo(app: string, version: string, extra = ""): string {
    const dir = join(tempDir(), app);
    mkdirSync(dir, { recursive: true });
    spawnSync("git", ["init", "-q", "-b", "main", dir]);
    writeFileSync(join(dir, ".gitignore"), "");
    commitFiles(
      dir,
      {
        "skiff.yml": skiffYml(app, extra),
        Dockerfile: `FROM ${base.tag}\nWORKDIR /app\nCOPY . /app/\nCMD ["/bin/sh", "/app/start.sh"]\n`,
        "start.sh": START,
        "visit.cgi": VISIT,
        version,
      },
      `feat: ${version}`,
    );
    return dir;
  }

  function dataDirFor(): string {
    const dataDir = tempDir();
    agents.push(agentId(dataDir));
    return dataDir;
  }

  async function containersOf(dataDir: string, app: string) {
    return engine.listContainers({
      all: true,
      filters: { label: [`${LABEL.agent}=${agentId(dataDir)}`, `${LABEL.app}=${app}`] },
    });
  }

  async function text(url: string): Promise<{ status: number; body: string }> {
    const res = await request(url);
    return { status: res.statusCode, body: (await res.body.text()).trim() };
  }

  /** Requests in a loop (4 at a time) until stopped: how many were answered, and how many failed. */
  function load(url: string) {
    let running = true;
    const counts = { ok: 0, failed: 0, failures: [] as string[] };
    const worker = async () => {
      while (running) {
        try {
          const res = await text(url);
          if (res.status === 200) counts.ok++;
          else {
            counts.failed++;
            counts.failures.push(`${res.status} ${res.body}`);
          }
        } catch (error) {
          counts.failed++;
          counts.failures.push(String(error));
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    return {
      counts,
      stop: async () => {
        running = false;
        await Promise.all(workers);
        return counts;
      },
    };
  }

  it("deploys, upgrades and rolls back a Dockerfile app under load without a failed request; the rollback starts nothing", async () => {
    const app = `ctr-load-${process.pid}`;
    const dataDir = dataDirFor();
    const { client, proxy } = await startAgent(dataDir);
    const repo = appRepo(app, "v1");
    const first = await deploy(client, repo);
    expect(first.result).toMatchObject({ ok: true });
    expect(
      first.events.some(
        (e) => e.type === "step" && e.step === "built" && /built Dockerfile/.test(e.message ?? ""),
      ),
    ).toBe(true);
    expect((await text(`${proxy}/`)).body).toBe("v1");

    const traffic = load(`${proxy}/`);
    await vi.waitFor(() => expect(traffic.counts.ok).toBeGreaterThan(10));
    commitFiles(repo, { version: "v2" }, "feat: v2");
    expect((await deploy(client, repo)).result).toMatchObject({ ok: true });
    await vi.waitFor(async () => expect((await text(`${proxy}/`)).body).toBe("v2"));
    const before = traffic.counts.ok;
    const back = await rollback(client, app);
    expect(back.result).toMatchObject({ ok: true });
    // Warm: the previous release's container goes live again, no new container is started.
    const started = back.events.find((e) => e.type === "step" && e.step === "started");
    expect(started).toMatchObject({ message: expect.stringMatching(/is warm: no start needed/) });
    expect((await text(`${proxy}/`)).body).toBe("v1");
    await vi.waitFor(() => expect(traffic.counts.ok).toBeGreaterThan(before + 10));
    const counts = await traffic.stop();
    expect(counts.failures).toEqual([]);
    expect(counts.failed).toBe(0);
    // v1 live, v2 warm: one container each, both running.
    const containers = await containersOf(dataDir, app);
    expect(containers.map((c) => c.Labels[LABEL.release]).sort()).toEqual(["r1", "r2"]);
    expect(containers.every((c) => c.State === "running")).toBe(true);
    // skiff status names the live instance's container and the image it runs.
    const status = await client.json<StatusView>("GET", "/v1/status");
    const shown = status.apps.find((a) => a.app === app)!;
    const r1 = containers.find((c) => c.Labels[LABEL.release] === "r1")!;
    expect(shown.instances.map((i) => i.container)).toEqual([r1.Id.slice(0, 12)]);
    expect(shown.image?.id).toBe(r1.ImageID);
  }, 300_000);

  it("keeps SQLite data in its bind-mounted storage across 5 deploys and a rollback, and prunes unneeded images", async () => {
    const app = `ctr-data-${process.pid}`;
    const dataDir = dataDirFor();
    const { client, proxy } = await startAgent(dataDir);
    const repo = appRepo(app, "v1", "keep_releases: 2\n");
    const counts: string[] = [];
    for (let n = 1; n <= 5; n++) {
      if (n > 1) commitFiles(repo, { version: `v${n}` }, `feat: v${n}`);
      expect((await deploy(client, repo)).result).toMatchObject({ ok: true });
      counts.push((await text(`${proxy}/cgi-bin/visit`)).body);
    }
    expect(counts).toEqual(["1", "2", "3", "4", "5"]);
    expect((await rollback(client, app)).result).toMatchObject({ ok: true });
    expect((await text(`${proxy}/`)).body).toBe("v4");
    expect((await text(`${proxy}/cgi-bin/visit`)).body).toBe("6");
    expect(existsSync(join(dataDir, "storage", app, "production", "data", "visits.db"))).toBe(true);
    // keep_releases: 2: the first releases' images are gone, the kept ones (live, warm) stay.
    const left = await engine.listImages({
      filters: { label: [`${LABEL.agent}=${agentId(dataDir)}`, `${LABEL.app}=${app}`] },
    });
    const releases = left.map((i) => i.Labels[LABEL.release]).sort();
    expect(releases).not.toContain("r1");
    expect(releases).toEqual(expect.arrayContaining(["r4", "r5"]));
  }, 400_000);

  it("after kill -9 of the agent during a container deploy, serves the live release with no duplicate or orphaned container", async () => {
    const app = `ctr-crash-${process.pid}`;
    const dataDir = dataDirFor();
    const first = await startAgentProcess(dataDir);
    const repo = appRepo(app, "v1");
    expect((await deploy(new AgentClient(first.info.api, first.token), repo)).result).toMatchObject({
      ok: true,
    });
    commitFiles(repo, { version: "slow" }, "feat: slow");
    const deploying = deploy(new AgentClient(first.info.api, first.token), repo).catch((e: unknown) => e);
    // The new release's container is up (not yet healthy): the agent dies mid-deploy.
    await vi.waitFor(
      async () => {
        const list = await containersOf(dataDir, app);
        expect(list.some((c) => c.Labels[LABEL.release] === "r2" && c.State === "running")).toBe(true);
      },
      { timeout: 120_000, interval: 200 },
    );
    await first.stop("SIGKILL");
    await deploying;
    expect((await containersOf(dataDir, app)).length).toBe(2);

    const second = await startAgentProcess(dataDir);
    expect(second.output()).toMatch(/removed a container left behind by an earlier agent/);
    expect((await text(`${second.info.proxy}/`)).body).toBe("v1");
    const after = await containersOf(dataDir, app);
    expect(after.map((c) => [c.Labels[LABEL.release], c.State])).toEqual([["r1", "running"]]);
  }, 400_000);

  const postgresMissing = !existsSync(PSQL);
  it.skipIf(postgresMissing)(
    "an accessory PostgreSQL keeps its data across app deploys and gives the app DATABASE_URL",
    async () => {
      const postgres = await images.postgres();
      const app = `ctr-pg-${process.pid}`;
      const dataDir = dataDirFor();
      const { client, proxy } = await startAgent(dataDir);
      await client.json("PUT", "/v1/secrets/DB_PASSWORD", { value: "s3cret-pw" });
      const accessory = `accessories:
  db:
    image: ${postgres.tag}
    port: 5432
    env: { POSTGRES_DB: shop }
    secrets: { POSTGRES_PASSWORD: DB_PASSWORD }
    volumes: ["data:/var/lib/postgresql/data"]
    healthcheck: { command: "pg_isready -U postgres -h 127.0.0.1", interval: 1s, timeout: 5s, retries: 60 }
    app_env:
      DATABASE_URL: "postgres://postgres:\${POSTGRES_PASSWORD}@\${HOST}:\${PORT}/shop"
`;
      const repo = appRepo(app, "v1", accessory);
      expect((await deploy(client, repo)).result).toMatchObject({ ok: true });
      expect((await text(`${proxy}/db`)).body).toBe("postgres://postgres:s3cret-pw@db:5432/shop");
      const [db] = (await containersOf(dataDir, app)).filter((c) => c.Labels[LABEL.accessory] === "db");
      expect(db).toBeDefined();
      const hostPort = db!.Ports.find((p) => p.PublicPort)!.PublicPort;
      const psql = (sql: string) => {
        const run = spawnSync(
          PSQL,
          ["-h", "127.0.0.1", "-p", String(hostPort), "-U", "postgres", "-d", "shop", "-tAc", sql],
          {
            env: { ...process.env, PGPASSWORD: "s3cret-pw" },
            encoding: "utf8",
          },
        );
        if (run.status !== 0) throw new Error(run.stderr);
        return run.stdout.trim();
      };
      psql("CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)");
      for (const version of ["v2", "v3"]) {
        commitFiles(repo, { version }, `feat: ${version}`);
        expect((await deploy(client, repo)).result).toMatchObject({ ok: true });
      }
      expect((await text(`${proxy}/`)).body).toBe("v3");
      expect(psql("SELECT count(*) FROM orders")).toBe("2");
      // The same container all along: a deploy never restarts the database.
      const [still] = (await containersOf(dataDir, app)).filter((c) => c.Labels[LABEL.accessory] === "db");
      expect(still?.Id).toBe(db!.Id);
    },
    400_000,
  );
});
