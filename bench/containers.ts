// npm run bench:containers — what running the app as a container costs, and what a Kamal-style switch
// (`docker stop old && docker run new` on the same port) loses under load, next to a health-gated switch
// through Skiff's proxy. A real engine (dockerd), images built from this machine's files (no registry),
// wrk (or the Load class) on 127.0.0.1 only, bounded in time; every container, image and temp dir it made
// is removed at the end, by id.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import type { StreamEvent } from "../src/agent/api-types.js";
import { spawnAgent } from "../src/agent/spawn.js";
import { archive, readAppSource } from "../src/cli/app-source.js";
import { AgentClient } from "../src/cli/client.js";
import { buildImage } from "../src/containers/build.js";
import {
  createContainer,
  removeContainer,
  startWithOutput,
  stopContainer,
} from "../src/containers/container.js";
import { ContainerInstance } from "../src/containers/container-instance.js";
import { connectEngine, engineStatus } from "../src/containers/engine.js";
import type { PinnedImage } from "../src/containers/image.js";
import { agentId, LABEL } from "../src/containers/labels.js";
import { TestImages } from "../src/containers/test-support/images.js";
import { LoadBalancer } from "../src/proxy/load-balancer.js";
import { ProxyServer } from "../src/proxy/proxy.js";
import { Target } from "../src/proxy/target.js";
import { healthGate } from "../src/runtime/health-gate.js";
import { LogFile } from "../src/runtime/log-file.js";
import { freePort } from "../src/runtime/ports.js";
import { answers, commitVersion, git, SERVER, timeBoot } from "./support/bench-app.js";
import { type LoadResult, LoadRunner } from "./support/load-runner.js";
import { Processes } from "./support/processes.js";
import { median, ms } from "./support/stats.js";

const BOOT_SAMPLES = 5;
const SWITCHES = 3;
/** wrk connections for the switch runs: a bounded, moderate load (each pauses between requests). */
const LOAD = { connections: 10, pauseMs: 5 };
const CONTAINER_PORT = 3000;
const AGENT = `bench-${process.pid}`;
const CHECK = {
  path: "/health",
  intervalMs: 100,
  timeoutMs: 1_000,
  healthyThreshold: 1,
  deployTimeoutMs: 30_000,
};

/** The CLI the agent runs from: the package's bin, which loads the built dist/ (bench:containers builds it). */
const SKIFF_BIN = new URL("../../../bin/skiff.js", import.meta.url).pathname;

const out = (line = "") => process.stdout.write(`${line}\n`);
const section = (title: string) => out(`\n== ${title}`);

interface Bench {
  docker: Docker;
  image: PinnedImage;
  log: LogFile;
  root: string;
  runner: LoadRunner;
  source: string;
}

async function main(): Promise<void> {
  const docker = connectEngine();
  const engine = await engineStatus(docker);
  if (!engine.ok) {
    out(
      `no Docker engine answers (${engine.reason}): install the Debian package docker.io and start dockerd`,
    );
    process.exitCode = 1;
    return;
  }
  const root = mkdtempSync(join(tmpdir(), "skiff-bench-containers-"));
  const processes = new Processes();
  const images = new TestImages(docker);
  const log = new LogFile(join(root, "containers.log"));
  try {
    const runner = new LoadRunner(processes, root);
    out(`skiff bench:containers, ${new Date().toISOString()}`);
    out(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
    out(`engine: Docker ${engine.version} (API ${engine.apiVersion}); load generator: ${runner.tool}`);
    out(
      `load average at start: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")}`,
    );

    section("images (built here from this machine's files; vfs storage driver)");
    let started = performance.now();
    const base = await images.node();
    out(
      `node base image (docker import of node + its libraries + busybox): ${ms(performance.now() - started)}`,
    );
    const source = appSource(root);
    started = performance.now();
    const image = await buildImage(docker, {
      contextDir: source,
      dockerfile: "Dockerfile",
      buildArgs: { BASE: base.tag },
      tag: `skiff-test/bench-app:${images.run}`,
      labels: {},
      log,
    });
    images.track("image", image.id);
    out(
      `app image (Dockerfile: FROM base, COPY, CMD): ${ms(performance.now() - started)}, ${(image.sizeBytes / 1e6).toFixed(0)} MB`,
    );

    const bench: Bench = { docker, image, log, root, runner, source };
    const dockerRunMs = await boot(bench);
    await kamalStyle(bench);
    await proxySwitch(bench);
    await throughAgent(bench, base.tag, dockerRunMs);
    out(
      `\nload average at the end: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    await processes.stopAll();
    await images.removeContainersOf(AGENT);
    log.close();
    await images.cleanup();
    rmSync(root, { recursive: true, force: true });
  }
}

/** The bench app of bench:deploy, as a container: its Dockerfile builds over the node base. */
function appSource(root: string): string {
  const dir = join(root, "app");
  mkdirSync(dir);
  writeFileSync(join(dir, "server.js"), SERVER);
  writeFileSync(join(dir, "VERSION"), "v1\n");
  writeFileSync(join(dir, "package.json"), '{ "type": "module", "private": true }\n');
  writeFileSync(
    join(dir, "Dockerfile"),
    `ARG BASE\nFROM $BASE\nCOPY . /app\nWORKDIR /app\nEXPOSE ${CONTAINER_PORT}\nCMD ["node", "server.js"]\n`,
  );
  return dir;
}

/** `docker run` (create + start) until the first 2xx, against the same app spawned on the host. */
async function boot(bench: Bench): Promise<number> {
  section(`boot: docker run → first 2xx, ${BOOT_SAMPLES} samples (medians)`);
  const create: number[] = [];
  const start: number[] = [];
  const firstOk: number[] = [];
  const total: number[] = [];
  const stop: number[] = [];
  const remove: number[] = [];
  for (let i = 0; i < BOOT_SAMPLES; i++) {
    const hostPort = await freePort();
    const t0 = performance.now();
    const container = await createContainer(bench.docker, {
      name: `skiff-${AGENT}-boot-${i}`,
      image: bench.image.id,
      labels: { "skiff.agent": AGENT },
      env: { PORT: String(CONTAINER_PORT), HOST: "0.0.0.0" },
      publish: { hostPort, containerPort: CONTAINER_PORT },
      restart: "no",
    });
    const t1 = performance.now();
    await startWithOutput(container, bench.log);
    const t2 = performance.now();
    await untilAnswers(hostPort, 30_000);
    const t3 = performance.now();
    await stopContainer(container, 10_000);
    const t4 = performance.now();
    await removeContainer(container);
    const t5 = performance.now();
    create.push(t1 - t0);
    start.push(t2 - t1);
    firstOk.push(t3 - t2);
    total.push(t3 - t0);
    stop.push(t4 - t3);
    remove.push(t5 - t4);
  }
  const host: number[] = [];
  for (let i = 0; i < BOOT_SAMPLES; i++) host.push(await timeBoot(bench.source));
  out(
    `create ${ms(median(create))} + start ${ms(median(start))} + app boot to first 2xx ${ms(median(firstOk))}`,
  );
  out(
    `docker run → first 2xx: ${ms(median(total))} (min ${ms(Math.min(...total))}, max ${ms(Math.max(...total))})`,
  );
  out(`same app as a host process, spawn → first 2xx: ${ms(median(host))}`);
  out(`container overhead over the host process: ${ms(median(total) - median(host))}`);
  out(`docker stop (SIGTERM, app exits at once): ${ms(median(stop))}; docker rm: ${ms(median(remove))}`);
  return median(total);
}

/**
 * Whole deploys and rollbacks through a real agent process, a container app (dockerfile:) next to the
 * same app as host processes, in one run and under the same load: what a container release costs beyond
 * `docker run` + the app's boot (the image build is reported apart: it is the app's own work), what a warm
 * rollback costs, and the failed requests through the proxy while it happens.
 */
async function throughAgent(bench: Bench, baseTag: string, dockerRunMs: number): Promise<void> {
  section(`through the agent: ${SWITCHES} deploys + ${SWITCHES} warm rollbacks per app, under load`);
  {
    const common =
      "healthcheck:\n  path: /health\n  interval: 100ms\n  healthy_threshold: 1\ndrain_timeout: 10s\nrollback_window: 10m\nkeep_releases: 3\n";
    const apps = [
      { app: "bench-host", config: `app: bench-host\nstart: node server.js\n${common}` },
      {
        app: "bench-ctr",
        config: `app: bench-ctr\ndockerfile: Dockerfile\nbuild_args: { BASE: "${baseTag}" }\nport: ${CONTAINER_PORT}\n${common}`,
      },
    ];
    // One agent per app, one after the other: each app gets the default route and the machine to itself.
    for (const { app, config } of apps) {
      // Apps as the agent's user: the bench measures deploys, not isolation (and runs as root in a temp dir).
      const agent = await spawnAgent(join(bench.root, `agent-${app}`), {
        bin: SKIFF_BIN,
        args: ["--isolation", "off"],
      });
      try {
        const client = new AgentClient(agent.info.api, agent.token);
        const repo = join(bench.root, app);
        mkdirSync(repo);
        for (const file of ["server.js", "package.json", "Dockerfile"]) {
          writeFileSync(join(repo, file), readFileSync(join(bench.source, file)));
        }
        writeFileSync(join(repo, "skiff.yml"), config);
        git(repo, "init", "-q", "-b", "main");
        commitVersion(repo, "v0");
        await agentOperation(() => agentDeploy(client, repo, app));
        const deploys: Timed[] = [];
        const rollbacks: Timed[] = [];
        const load = bench.runner.start({ url: `${agent.info.proxy}/`, seconds: 600, ...LOAD });
        await untilLoadRuns();
        for (let i = 1; i <= SWITCHES; i++) {
          commitVersion(repo, `v${i}`);
          deploys.push(await agentOperation(() => agentDeploy(client, repo, app)));
          rollbacks.push(await agentOperation(() => agentRollback(client, app)));
          commitVersion(repo, `v${i}b`);
        }
        await settle();
        const result = await load.stop();
        const step = (t: Timed[], name: string) => median(t.map((d) => stepMs(d.events, name)));
        const total = median(deploys.map((d) => d.totalMs));
        const built = step(deploys, "built") || 0;
        out(
          `${app}: deploy median ${ms(total)} (${built ? `built ${ms(built)}, ` : "no build step, "}started ${ms(step(deploys, "started"))}, healthy ${ms(step(deploys, "healthy"))}, drained ${ms(step(deploys, "drained"))})`,
        );
        if (app === "bench-ctr") {
          out(
            `  beyond the image build and docker run + boot (${ms(dockerRunMs)}): ${ms(total - built - dockerRunMs)} per deploy (upload, steps, gate interval, switch, drain)`,
          );
        }
        out(
          `  warm rollback: command → switched median ${ms(median(rollbacks.map((r) => r.switchedMs)))}, whole call ${ms(median(rollbacks.map((r) => r.totalMs)))}, started step ${ms(step(rollbacks, "started"))}`,
        );
        out(`  under load through the proxy: ${failed(result)}`);
      } finally {
        await agent.stop();
        // What its deploys built: every image labelled with this agent's id.
        const built = await bench.docker.listImages({
          filters: { label: [`${LABEL.agent}=${agentId(join(bench.root, `agent-${app}`))}`] },
        });
        for (const image of built) await bench.docker.getImage(image.Id).remove({ force: true });
      }
    }
  }
}

interface Timed {
  switchedMs: number;
  totalMs: number;
  events: StreamEvent[];
}

async function agentOperation(operation: () => Promise<Timed>): Promise<Timed> {
  const timed = await operation();
  const failedStep = timed.events.find((e) => e.type === "step" && !e.ok && e.step !== "drained");
  if (failedStep) throw new Error(`the operation failed: ${JSON.stringify(failedStep)}`);
  return timed;
}

async function agentDeploy(client: AgentClient, repo: string, app: string): Promise<Timed> {
  const started = performance.now();
  const source = await readAppSource(repo);
  const tarball = await archive(source);
  return timedOperation(started, (onEvent) =>
    client.deploy(app, tarball, { commit: null, deployedBy: "bench" }, {}, onEvent),
  );
}

function agentRollback(client: AgentClient, app: string): Promise<Timed> {
  const body = JSON.stringify({ requestedBy: "bench" });
  return timedOperation(performance.now(), (onEvent) =>
    client.operation(
      `/v1/apps/${app}/rollback`,
      { body, headers: { "content-type": "application/json" } },
      onEvent,
    ),
  );
}

async function timedOperation(
  started: number,
  operation: (onEvent: (event: StreamEvent) => void) => Promise<unknown>,
): Promise<Timed> {
  const events: StreamEvent[] = [];
  let switchedMs = Number.NaN;
  await operation((event) => {
    events.push(event);
    if (event.type === "step" && event.step === "switched") switchedMs = performance.now() - started;
  });
  return { switchedMs, totalMs: performance.now() - started, events };
}

function stepMs(events: StreamEvent[], step: string): number {
  const event = events.find((e) => e.type === "step" && e.step === step);
  return event?.type === "step" ? event.durationMs : Number.NaN;
}

/**
 * What deploy scripts in the Kamal 1 style do: `docker stop old && docker run new` on the same host port,
 * with clients hitting that port. Every request in the gap between the old container closing its socket
 * and the new one listening fails.
 */
async function kamalStyle(bench: Bench): Promise<void> {
  section(
    `docker stop && docker run on one port, under load (${LOAD.connections} connections), ${SWITCHES} switches`,
  );
  const port = await freePort();
  const failures: number[] = [];
  const gaps: number[] = [];
  let current = instance(bench, "kamal-0", port);
  current.start();
  await untilAnswers(port, 30_000);
  for (let i = 1; i <= SWITCHES; i++) {
    const load = bench.runner.start({ url: `http://127.0.0.1:${port}/`, seconds: 30, ...LOAD });
    await untilLoadRuns();
    const t0 = performance.now();
    await current.stop();
    current = instance(bench, `kamal-${i}`, port);
    current.start();
    await untilAnswers(port, 30_000);
    gaps.push(performance.now() - t0);
    await settle();
    const result = await load.stop();
    failures.push(result.failed);
    out(`switch ${i}: ${failed(result)}; stop → new container answering: ${ms(gaps.at(-1)!)}`);
  }
  await current.stop();
  out(
    `failed attempts per switch, median: ${median(failures)}; gap with nothing serving, median: ${ms(median(gaps))}`,
  );
}

/**
 * The same image switched the way Skiff's runtime does it, without the agent around it (the integration
 * with the deployer adds that): the new container starts on its own port and passes the health gate while
 * the old one serves, the proxy switches in one step, the old one drains and stops.
 */
async function proxySwitch(bench: Bench): Promise<void> {
  section(`health-gated switch through Skiff's proxy, under the same load, ${SWITCHES} switches`);
  const proxy = new ProxyServer({ host: "127.0.0.1", port: 0 });
  const route = proxy.router.set("bench", []);
  const { port } = await proxy.start();
  const failures: number[] = [];
  const switchMs: number[] = [];
  try {
    let current = instance(bench, "skiff-0", await freePort());
    current.start();
    let lb = balancerFor("r0", current);
    await healthGate(current, CHECK, new AbortController().signal);
    proxy.switch(route, lb);
    for (let i = 1; i <= SWITCHES; i++) {
      const load = bench.runner.start({ url: `http://127.0.0.1:${port}/`, seconds: 30, ...LOAD });
      await untilLoadRuns();
      const t0 = performance.now();
      const next = instance(bench, `skiff-${i}`, await freePort());
      next.start();
      const gate = await healthGate(next, CHECK, new AbortController().signal);
      if (!gate.ok) throw new Error(`the new container did not get healthy: ${gate.reason}`);
      const nextLb = balancerFor(`r${i}`, next);
      proxy.switch(route, nextLb);
      switchMs.push(performance.now() - t0);
      await lb.drain(10_000);
      await current.stop();
      current = next;
      lb = nextLb;
      await settle();
      const result = await load.stop();
      failures.push(result.failed);
      out(
        `switch ${i}: ${failed(result)}; new container start → healthy → switched: ${ms(switchMs.at(-1)!)}`,
      );
    }
    await current.stop();
    out(
      `failed attempts per switch, median: ${median(failures)}; start → switched, median: ${ms(median(switchMs))}`,
    );
  } finally {
    await proxy.stop(1_000);
  }
}

function instance(bench: Bench, name: string, port: number): ContainerInstance {
  return new ContainerInstance({
    docker: bench.docker,
    agent: AGENT,
    app: "bench",
    artifact: name,
    process: "web",
    idx: 0,
    image: bench.image.id,
    env: {},
    port,
    containerPort: CONTAINER_PORT,
    log: bench.log,
    stopTimeoutMs: 10_000,
    onEvent: () => {},
  });
}

function balancerFor(release: string, instance: ContainerInstance): LoadBalancer {
  return new LoadBalancer(release, [
    new Target("127.0.0.1", instance.port ?? 0, () => instance.state !== "stopped"),
  ]);
}

async function untilAnswers(port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await answers(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`nothing answered on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** A second of load before the switch, so it lands in the middle of a running load. */
const untilLoadRuns = () => new Promise((resolve) => setTimeout(resolve, 1_000));
/** And a second after it, so requests against the new container are counted too. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

/**
 * wrk's own words: requests it completed, and failed attempts (non-2xx answers and socket errors). While
 * nothing listens wrk reconnects at once, so failed attempts can outnumber the completed requests.
 */
function failed(result: LoadResult): string {
  return `${result.requests} requests completed, ${result.failed} failed attempts (${result.failures})`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
