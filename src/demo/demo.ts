import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReleaseView, StreamEvent } from "../agent/api-types.js";
import { type SpawnedAgent, spawnAgent } from "../agent/spawn.js";
import { archive, deployMeta, readAppSource } from "../cli/app-source.js";
import { AgentClient } from "../cli/client.js";
import { formatDuration, type Output } from "../cli/output.js";
import { printStreamEvent } from "../cli/stream-output.js";
import { Load, type LoadReport } from "./load.js";

const EXAMPLE = new URL("../../examples/hello/", import.meta.url).pathname;
const LOAD = { concurrency: 8, maxRequests: 200_000, maxDurationMs: 60_000 };

export interface DemoReport {
  ok: boolean;
  dataDir: string;
  deploys: Array<{ release: string; version: string; totalMs: number; switchMs: number | null }>;
  rollback: { release: string; totalMs: number; switchMs: number | null } | null;
  load: LoadReport | null;
}

/**
 * `skiff demo`: a real agent in a temp dir on free ports, the bundled example app deployed as v1, then v2
 * deployed and rolled back while a bounded load runs against the proxy. Cleans up after itself.
 */
export async function runDemo(out: Output): Promise<DemoReport> {
  const root = mkdtempSync(join(tmpdir(), "skiff-demo-"));
  const report: DemoReport = {
    ok: false,
    dataDir: join(root, "data"),
    deploys: [],
    rollback: null,
    load: null,
  };
  let agent: SpawnedAgent | undefined;
  let load: Load | undefined;
  const interrupted = () => {
    void cleanup().then(() => process.exit(130));
  };
  const cleanup = async () => {
    process.off("SIGINT", interrupted);
    await load?.stop();
    await agent?.stop();
    rmSync(root, { recursive: true, force: true });
  };
  process.once("SIGINT", interrupted);
  try {
    out.line(out.paint("bold", "1. Starting an agent in a temporary directory"));
    // A demo leaves nothing behind, so no skiff-<app> system user even when run as root.
    agent = await spawnAgent(report.dataDir, { args: ["--isolation", "off"] });
    out.line(`   proxy ${agent.info.proxy}, API ${agent.info.api}, data ${report.dataDir}`);
    const client = new AgentClient(agent.info.api, agent.token);
    const repo = createExampleRepo(join(root, "hello"));

    out.line(out.paint("bold", "\n2. Deploying the example app as v1"));
    report.deploys.push(await deployStep(out, client, repo, "1.0.0"));

    out.line(
      out.paint("bold", `\n3. Starting load: ${LOAD.concurrency} keep-alive connections against the proxy`),
    );
    load = new Load({ url: agent.info.proxy, ...LOAD });

    out.line(out.paint("bold", "\n4. Deploying v2 under load"));
    commitVersion(repo, "2.0.0", "feat: say hello in v2");
    report.deploys.push(await deployStep(out, client, repo, "2.0.0"));
    await holdLoad(out, load, "v2 serves");

    out.line(out.paint("bold", "\n5. Rolling back to v1 under load"));
    report.rollback = await rollbackStep(out, client);
    await holdLoad(out, load, "v1 serves again");
    report.load = await load.stop();
    load = undefined;
    report.ok = report.load.failed === 0;
    printSummary(out, report);
    return report;
  } finally {
    await cleanup();
  }
}

/** Lets the load run a moment so the summary shows each release answering. */
async function holdLoad(out: Output, load: Load, what: string): Promise<void> {
  const before = load.snapshot().sent;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  out.line(`  ${what}: ${load.snapshot().sent - before} requests in 1.5s`);
}

function createExampleRepo(dir: string): string {
  cpSync(EXAMPLE, dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  commitVersion(dir, "1.0.0", "feat: hello v1");
  return dir;
}

function commitVersion(dir: string, version: string, message: string): void {
  writeFileSync(join(dir, "VERSION"), `${version}\n`);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", message);
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.name=Skiff Demo", "-c", "user.email=demo@skiff.invalid", ...args], {
    cwd,
    stdio: "ignore",
  });
}

async function deployStep(out: Output, client: AgentClient, repo: string, version: string) {
  const source = await readAppSource(repo);
  const events: StreamEvent[] = [];
  const started = performance.now();
  const result = await client.deploy(
    source.config.app,
    await archive(source),
    deployMeta(source, "skiff demo"),
    {},
    (event) => {
      events.push(event);
      printStreamEvent(out, event);
    },
  );
  const release = result.release as ReleaseView;
  return {
    release: release.id,
    version,
    totalMs: Math.round(performance.now() - started),
    switchMs: switchMs(events),
  };
}

async function rollbackStep(out: Output, client: AgentClient) {
  const events: StreamEvent[] = [];
  const started = performance.now();
  const result = await client.operation(
    "/v1/apps/hello/rollback",
    { body: JSON.stringify({ requestedBy: "skiff demo" }), headers: { "content-type": "application/json" } },
    (event) => {
      events.push(event);
      printStreamEvent(out, event);
    },
  );
  const release = result.release as ReleaseView;
  return {
    release: `${release.id} (files of ${release.artifact})`,
    totalMs: Math.round(performance.now() - started),
    switchMs: switchMs(events),
  };
}

function switchMs(events: StreamEvent[]): number | null {
  const step = events.find((e) => e.type === "step" && e.step === "switched");
  return step?.type === "step" ? step.durationMs : null;
}

function printSummary(out: Output, report: DemoReport): void {
  const load = report.load!;
  out.line(out.paint("bold", "\nWhat happened"));
  for (const d of report.deploys) {
    out.line(
      `  deploy ${d.release} (v${d.version}): ${formatDuration(d.totalMs)} end to end, traffic switched in ${d.switchMs ?? "-"}ms`,
    );
  }
  if (report.rollback) {
    out.line(
      `  rollback to ${report.rollback.release}: ${formatDuration(report.rollback.totalMs)} from command to 100% of traffic`,
    );
  }
  const versions = Object.entries(load.byVersion)
    .map(([v, n]) => `v${v}: ${n}`)
    .join(", ");
  out.line(
    `  load: ${load.sent} requests in ${formatDuration(load.durationMs)}, ${load.ok} ok, ${load.failed} failed (${versions})`,
  );
  out.line(`  latency through the proxy: p50 ${load.latencyMs.p50}ms, p99 ${load.latencyMs.p99}ms`);
  out.line(
    report.ok
      ? out.paint(
          "green",
          "\nZero failed requests across a deploy and a rollback. The agent and its data are cleaned up.",
        )
      : out.paint(
          "red",
          `\n${load.failed} requests failed: ${JSON.stringify({ ...load.byStatus, ...load.errors })}`,
        ),
  );
}
