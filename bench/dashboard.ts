/**
 * The dashboard's server time on a big ledger: 50 apps and 10,000 releases (with their deploy steps,
 * spread over 80 days) and some incidents, served by a real agent started on that data directory.
 * Measures the first load of the first page right after login (target < 100 ms), then repeated loads,
 * and the other heavy pages. Server time is the agent's own Server-Timing header; the client-side
 * total (loopback HTTP included) is printed beside it.
 * Run: npm run bench:dashboard
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Agent } from "../src/agent/agent.js";
import { parseAppConfig } from "../src/config/load.js";
import type { LoginLinkResponse } from "../src/dashboard/dashboard.js";
import { DataDir } from "../src/store/data-dir.js";
import { Store } from "../src/store/store.js";
import { median, ms, quantile, verdict } from "./support/stats.js";

const APPS = 50;
const RELEASES = 10_000;
const STEPS = ["received", "unpacked", "built", "started", "healthy", "switched", "drained", "finished"];
const DAY = 86_400_000;
const TARGET_MS = 100;
const REPEATS = 30;

function seed(dataDir: string): void {
  const dir = new DataDir(dataDir);
  dir.create();
  const store = new Store(dir.db);
  const now = Date.now();
  const perApp = RELEASES / APPS;
  store.db.transaction(() => {
    for (let a = 0; a < APPS; a++) {
      const app = `app-${String(a).padStart(2, "0")}`;
      const config = parseAppConfig(`app: ${app}\nstart: node server.js\nhost: ${app}.example.com\n`);
      store.apps.register(config, now);
      for (let r = 0; r < perApp; r++) {
        const started = now - 80 * DAY + Math.floor(((r + a / APPS) * 80 * DAY) / perApp);
        const release = store.releases.create({
          app,
          trigger: r % 17 === 0 ? "rollback" : "cli",
          version: `1.${Math.floor(r / 10)}.${r % 10}`,
          commit: {
            sha: `${a}${r}`.padEnd(40, "0"),
            message: `feat: change ${r} of ${app}\n\nA longer body.`,
            author: "Bench",
            time: started - 3_600_000,
          },
          deployedBy: "bench",
          config,
          now: started,
        });
        for (const [i, step] of STEPS.entries()) {
          store.events.add({
            app,
            release: release.id,
            kind: "step",
            name: step,
            at: started + i * 50,
            durationMs: 50,
          });
        }
        if (r % 23 === 0) store.releases.fail(app, release.id, "the health check failed", started + 400);
        else
          store.releases.goLive(app, release.id, r % 31 === 0 ? "rolled-back" : "superseded", started + 400);
      }
      for (let i = 0; i < 5; i++) {
        const opened = now - (i + 1) * 7 * DAY;
        store.incidents.open({
          app,
          monitor: "home",
          target: `https://${app}.example.com/`,
          cause: "status 502",
          release: null,
          startedAt: opened - 60_000,
          openedAt: opened,
        });
        if (i > 0) store.incidents.resolve(app, "home", opened + 20 * 60_000);
      }
    }
  })();
  store.close();
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "skiff-bench-dashboard-"));
  const agent = new Agent({
    dataDir,
    listen: { host: "127.0.0.1", port: 0 },
    api: { host: "127.0.0.1", port: 0 },
    logger: pino({ level: "silent" }),
  });
  try {
    const seeding = performance.now();
    seed(dataDir);
    process.stdout.write(
      `ledger: ${APPS} apps, ${RELEASES} releases, ${RELEASES * STEPS.length} step events, seeded in ${ms(performance.now() - seeding)}\n`,
    );
    const info = await agent.start();
    const links = await fetch(`${info.api}/v1/dashboard/links`, {
      method: "POST",
      headers: { authorization: `Bearer ${agent.token}` },
    });
    const { path } = (await links.json()) as LoginLinkResponse;
    const login = await fetch(`${info.api}${path}`, { redirect: "manual" });
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;

    const load = async (page: string) => {
      const started = performance.now();
      const res = await fetch(`${info.api}${page}`, { headers: { cookie } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${page}: HTTP ${res.status}`);
      const timing = res.headers.get("server-timing") ?? "";
      const server = Number(/app;dur=([\d.]+)/.exec(timing)?.[1]);
      const cpu = Number(/cpu;dur=([\d.]+)/.exec(timing)?.[1]);
      return { server, cpu, total: performance.now() - started, bytes: body.length };
    };

    const first = await load("/dashboard");
    const load1 = loadavg().map((l) => l.toFixed(1));
    process.stdout.write(`load average ${load1.join(" ")} on ${cpus().length} cores\n`);
    process.stdout.write(
      `\nfirst load of /dashboard after login: server ${ms(first.server)} (CPU ${ms(first.cpu)}), total ${ms(first.total)}, ${first.bytes} bytes  [target < ${TARGET_MS} ms: ${verdict(first.server < TARGET_MS)}]\n\n`,
    );
    process.stdout.write(
      `${"page".padEnd(40)} ${"server p50".padStart(10)} ${"p95".padStart(8)} ${"CPU p50".padStart(9)} ${"total p50".padStart(10)}  bytes\n`,
    );
    for (const page of [
      "/dashboard",
      "/dashboard/apps/app-25",
      "/dashboard/apps/app-25/releases/r100",
      "/dashboard/metrics?days=90",
      "/dashboard/metrics?app=app-25&days=90",
      "/dashboard/incidents",
    ]) {
      const runs = [];
      for (let i = 0; i < REPEATS; i++) runs.push(await load(page));
      const server = runs.map((r) => r.server);
      process.stdout.write(
        `${page.padEnd(40)} ${ms(median(server)).padStart(10)} ${ms(quantile(server, 0.95)).padStart(8)} ${ms(median(runs.map((r) => r.cpu))).padStart(9)} ${ms(median(runs.map((r) => r.total))).padStart(10)}  ${runs[0]!.bytes}\n`,
      );
    }
  } finally {
    await agent.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
