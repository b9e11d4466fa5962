import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { ReleaseListItem, StatusView, StreamEvent } from "../src/agent/api-types.js";
import { DEPLOY_META_HEADER } from "../src/agent/api-types.js";
import { archive, deployMeta, readAppSource } from "../src/cli/app-source.js";
import type { AgentClient } from "../src/cli/client.js";
import { OperationError } from "../src/errors.js";
import { rejection } from "../src/test-support/rejection.js";
import { deferred, until } from "../src/test-support/wait.js";
import { deploy, get, rollback, useAgents, version } from "./support/agent.js";
import { commitFiles, createAppRepo, setBehaviour, testConfig } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const startAgent = useAgents();

/** Reads an NDJSON operation stream until an event matches. */
async function streamUntil(res: Response, match: (event: StreamEvent) => boolean): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the stream ended before the event");
    buffered += value;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    if (lines.some((line) => line.trim() && match(JSON.parse(line) as StreamEvent))) return;
  }
}

function steps(events: Array<{ type: string; step?: string }>): string[] {
  return events.filter((e) => e.type === "step").map((e) => e.step!);
}

/** The steps of `release` as the ledger has them (a rollback's drain is recorded after it answered). */
async function ledgerSteps(client: AgentClient, app: string, release: string) {
  const { events } = await client.json<{ events: Array<{ kind: string; name: string; message: string }> }>(
    "GET",
    `/v1/apps/${app}/events?release=${release}`,
  );
  return events.filter((e) => e.kind === "step");
}

/** How the release `release` replaced drained, as `GET /v1/apps/hello/releases` (`skiff releases`) lists it. */
async function drainOf(client: AgentClient, release: string) {
  const { releases } = await client.json<{ releases: ReleaseListItem[] }>("GET", "/v1/apps/hello/releases");
  return releases.find((r) => r.id === release)?.drain;
}

function failure(promise: Promise<unknown>): Promise<OperationError> {
  return rejection(promise, OperationError);
}

describe("deploy", () => {
  it("builds, health-gates and switches a release, recording every step", async () => {
    const { client, proxy, agent } = await startAgent(tempDir());
    const repo = createAppRepo(
      join(tempDir(), "app"),
      "hello",
      { version: "v1" },
      "build: node -e \"require('fs').writeFileSync('built.txt','yes')\"\n",
    );
    const { result, events } = await deploy(client, repo);
    expect(result.ok).toBe(true);
    expect(result.release).toMatchObject({ id: "r1", status: "live", trigger: "cli", live: true });
    expect(steps(events)).toEqual([
      "received",
      "unpacked",
      "built",
      "started",
      "healthy",
      "switched",
      "finished",
    ]);
    expect(await version(proxy)).toBe("v1");
    expect(existsSync(join(agent.dataDir.releaseDir("hello", "r1"), "built.txt"))).toBe(true);

    setBehaviour(repo, { version: "v2" });
    const second = await deploy(client, repo);
    expect(steps(second.events)).toEqual([
      "received",
      "unpacked",
      "built",
      "started",
      "healthy",
      "switched",
      "drained",
      "finished",
    ]);
    expect(await version(proxy)).toBe("v2");
    const { releases } = await client.json<{ releases: Array<{ id: string; status: string }> }>(
      "GET",
      "/v1/apps/hello/releases",
    );
    expect(releases.map((r) => [r.id, r.status])).toEqual([
      ["r2", "live"],
      ["r1", "superseded"],
    ]);
    const { events: ledger } = await client.json<{ events: Array<{ kind: string; name: string }> }>(
      "GET",
      "/v1/apps/hello/events?release=r2",
    );
    expect(ledger.filter((e) => e.kind === "step").map((e) => e.name)).toEqual(steps(second.events));
  });

  it("never sends traffic to a release that does not pass its health check, and says why", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    await deploy(client, repo);
    setBehaviour(repo, { version: "v2", health: 500 });
    const started = Date.now();
    const error = await failure(deploy(client, repo));
    expect(error.message).toMatch(/not healthy after 5s; last check: HTTP 500/);
    expect(error.hint).toMatch(/r1 is still live/);
    expect(error.details.join("\n")).toMatch(/app v2 starting/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    expect(await version(proxy)).toBe("v1");
    const status = await client.json<StatusView>("GET", "/v1/status");
    expect(status.apps[0]?.live?.id).toBe("r1");
    const { releases } = await client.json<{
      releases: Array<{ id: string; status: string; reason: string }>;
    }>("GET", "/v1/apps/hello/releases");
    expect(releases[0]).toMatchObject({ id: "r2", status: "failed" });
    expect(releases[0]?.reason).toMatch(/HTTP 500/);
  });

  it("fails at once when the new release exits during the gate, with its exit code and log", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    await deploy(client, repo);
    // A gate that would wait ten minutes: failing with the exit, not the timeout, is failing at once.
    commitFiles(
      repo,
      {
        "skiff.yml": testConfig("hello").replace("deploy_timeout: 5s", "deploy_timeout: 10m"),
        "behaviour.json": JSON.stringify({
          version: "v2",
          exitAtStart: 7,
          exitMessage: "DATABASE_URL is not set",
        }),
      },
      "v2 exits at start",
    );
    const error = await failure(deploy(client, repo));
    expect(error.message).toMatch(/instance 0 exited with code 7 before it was healthy/);
    expect(error.details.join("\n")).toMatch(/fatal: DATABASE_URL is not set/);
    expect(await version(proxy)).toBe("v1");
  });

  it("fails a build that fails, showing its last lines, and keeps the previous release", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    await deploy(client, repo);
    commitFiles(
      repo,
      {
        "skiff.yml": testConfig(
          "hello",
          `build: "echo compiling; echo 'error TS2322: bad types' >&2; exit 4"\n`,
        ),
      },
      "broken build",
    );
    const error = await failure(deploy(client, repo));
    expect(error.message).toBe("the build failed (exit code 4)");
    expect(error.details.join("\n")).toMatch(/error TS2322: bad types/);
    expect(await version(proxy)).toBe("v1");
    const { events } = await client.json<{ events: Array<{ name: string; ok: boolean; message: string }> }>(
      "GET",
      "/v1/apps/hello/events?release=r2",
    );
    expect(events.find((e) => e.name === "built")).toMatchObject({ ok: false, message: "exit code 4" });
  });

  it("restarts a crashed instance after it went live, and records it", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1", crashAfterMs: 1500 });
    await deploy(client, repo);
    const before = await client.json<StatusView>("GET", "/v1/status");
    const firstPid = before.apps[0]?.instances[0]?.pid;
    const restarted = await until("the crashed instance to be back and healthy", async () => {
      const instance = (await client.json<StatusView>("GET", "/v1/status")).apps[0]?.instances[0];
      return instance && instance.restarts > 0 && instance.pid !== firstPid && instance.healthy && instance;
    });
    expect(restarted.pid).not.toBe(firstPid);
    expect(await version(proxy)).toBe("v1");
    const { events } = await client.json<{ events: Array<{ name: string; message: string }> }>(
      "GET",
      "/v1/apps/hello/events",
    );
    expect(events.map((e) => e.name)).toContain("exited");
    expect(events.find((e) => e.name === "exited")?.message).toMatch(/exit code 3/);
    expect(events.map((e) => e.name)).toContain("restarting");
  });
});

describe("rollback", () => {
  it("switches back to a warm release instantly and refuses to roll back to a failed one", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    await deploy(client, repo);
    setBehaviour(repo, { version: "v2" });
    await deploy(client, repo);
    setBehaviour(repo, { version: "v3", health: 503 }, "broken");
    await failure(deploy(client, repo));

    const { result, events } = await rollback(client, "hello");
    expect(result.release).toMatchObject({
      id: "r4",
      artifact: "r1",
      trigger: "rollback",
      status: "live",
      rollbackOf: "r2",
    });
    // The rollback answers once the traffic moved; the drain of r2 goes on and is recorded after.
    expect(steps(events)).toEqual(["started", "switched"]);
    expect(events.find((e) => e.type === "step" && e.step === "started")).toMatchObject({
      message: "r1 is warm: no start needed",
    });
    expect(await version(proxy)).toBe("v1");
    await vi.waitFor(async () =>
      expect((await ledgerSteps(client, "hello", "r4")).map((e) => e.name)).toEqual([
        "started",
        "switched",
        "drained",
        "finished",
      ]),
    );

    const failed = await failure(rollback(client, "hello", "r3"));
    expect(failed.message).toMatch(/r3 never went live \(failed\)/);
    // Nothing before r1: a second plain rollback has no healthy target (r2 was rolled back).
    const none = await failure(rollback(client, "hello"));
    expect(none.message).toMatch(/no release before r4 was live and healthy/);
    const { releases } = await client.json<{ releases: Array<{ id: string; status: string }> }>(
      "GET",
      "/v1/apps/hello/releases",
    );
    expect(releases.find((r) => r.id === "r2")?.status).toBe("rolled-back");
  });

  it("gives a commit deployed again the version it had, and a new commit the next one", async () => {
    const { client } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    const first = await deploy(client, repo);
    setBehaviour(repo, { version: "v2" });
    const second = await deploy(client, repo);
    const again = await deploy(client, repo);
    const older = await deploy(client, repo, { ref: "HEAD~1" });
    setBehaviour(repo, { version: "v3" });
    const next = await deploy(client, repo);
    // The older commit keeps 0.1.0, and the next new commit still counts from the highest, 0.1.1.
    expect([first, second, again, older, next].map((d) => d.result.release?.version)).toEqual([
      "0.1.0",
      "0.1.1",
      "0.1.1",
      "0.1.0",
      "0.1.2",
    ]);
  });

  it("keeps only the previous release warm, stopping the one before it", async () => {
    const { client } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    await deploy(client, repo);
    setBehaviour(repo, { version: "v2" });
    await deploy(client, repo);
    const r1 = (await client.json<StatusView>("GET", "/v1/status")).apps[0]?.warm[0]?.instances[0]?.pid;
    expect(r1).toBeGreaterThan(0);
    setBehaviour(repo, { version: "v3" });
    await deploy(client, repo);
    const status = await client.json<StatusView>("GET", "/v1/status");
    expect(status.apps[0]?.warm.map((w) => w.release)).toEqual(["r2"]);
    // r1's process is gone (signal 0 only asks whether the pid exists).
    await vi.waitFor(() => expect(() => process.kill(r1!, 0)).toThrow(), { timeout: 15_000 });
  });

  it("starts a cold release from disk, gates it, then switches", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" }, "rollback_window: 0s\n");
    await deploy(client, repo);
    setBehaviour(repo, { version: "v2" });
    await deploy(client, repo);
    const status = await client.json<StatusView>("GET", "/v1/status");
    expect(status.apps[0]?.warm).toEqual([]);
    const { result, events } = await rollback(client, "hello", "r1");
    expect(steps(events)).toEqual(["started", "healthy", "switched"]);
    expect(result.release?.artifact).toBe("r1");
    expect(await version(proxy)).toBe("v1");
    await vi.waitFor(async () =>
      expect((await ledgerSteps(client, "hello", result.release!.id)).map((e) => e.name)).toEqual([
        "started",
        "healthy",
        "switched",
        "drained",
        "finished",
      ]),
    );
  });

  it("answers as soon as the traffic moved, and drains the replaced release in the background", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    // A drain that may take long: it waits for the upload the test holds below.
    commitFiles(
      repo,
      { "skiff.yml": testConfig("hello").replace("drain_timeout: 2s", "drain_timeout: 60s") },
      "a long drain",
    );
    await deploy(client, repo);
    setBehaviour(repo, { version: "v2" });
    await deploy(client, repo);
    // An upload in flight on r2, its body held by the test (past the proxy's buffer, so it streams).
    const upload = connect(Number(new URL(proxy).port), "127.0.0.1");
    onTestFinished(() => {
      upload.destroy();
    });
    const answered = new Promise<string>((resolve) => {
      let text = "";
      upload.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('"version":"v2"')) resolve(text);
      });
    });
    upload.write(
      `POST /echo HTTP/1.1\r\nHost: hello\r\nContent-Length: 200000\r\n\r\n${"x".repeat(100_000)}`,
    );
    const inflight = async () =>
      (await client.json<StatusView>("GET", "/v1/status")).apps[0]?.traffic?.inflight ?? 0;
    await vi.waitFor(async () => expect(await inflight()).toBe(1));

    const { result, events } = await rollback(client, "hello");
    expect(result.release).toMatchObject({ id: "r3", artifact: "r1", status: "live" });
    expect(steps(events)).toEqual(["started", "switched"]);
    expect(await version(proxy)).toBe("v1");
    // r2 still drains: its upload is not done, so no `drained` yet; `skiff releases` says so.
    expect((await ledgerSteps(client, "hello", "r3")).map((e) => e.name)).toEqual(["started", "switched"]);
    expect(await drainOf(client, "r3")).toEqual({
      state: "draining",
      message: null,
      at: null,
      durationMs: null,
    });

    upload.write("y".repeat(100_000));
    expect(await answered).toContain('"version":"v2"');
    await vi.waitFor(async () => {
      const recorded = await ledgerSteps(client, "hello", "r3");
      expect(recorded.map((e) => e.name)).toEqual(["started", "switched", "drained", "finished"]);
      expect(recorded[2]?.message).toMatch(/^r2: all in-flight requests finished/);
    });
    // Then the release list shows how the drain ended, on the rollback's row.
    expect(await drainOf(client, "r3")).toMatchObject({
      state: "drained",
      message: expect.stringMatching(/^r2: all in-flight requests finished/),
    });
    // r2 itself replaced r1, drained before its deploy answered.
    expect(await drainOf(client, "r2")).toMatchObject({
      state: "drained",
      message: expect.stringMatching(/^r1: /),
    });
    expect(await drainOf(client, "r1")).toBeNull();
  });
});

describe("routing and bookkeeping", () => {
  it("routes two apps by host, and refuses a host another app owns", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const one = createAppRepo(join(tempDir(), "one"), "one", { version: "one-v1" }, "host: one.test\n");
    const two = createAppRepo(join(tempDir(), "two"), "two", { version: "two-v1" }, "host: two.test\n");
    await deploy(client, one);
    await deploy(client, two);
    expect(await version(proxy, "one.test")).toBe("one-v1");
    expect(await version(proxy, "two.test:8080")).toBe("two-v1");
    expect((await get(`${proxy}/`, "three.test")).status).toBe(404);
    const thief = createAppRepo(join(tempDir(), "thief"), "thief", {}, "host: one.test\n");
    const error = await failure(deploy(client, thief));
    expect(error.message).toBe("host one.test is already routed to app one");
    expect(await version(proxy, "one.test")).toBe("one-v1");
  });

  it("keeps keep_releases on disk, never pruning the live release or the rollback target", async () => {
    const { client, agent } = await startAgent(tempDir());
    const repo = createAppRepo(
      join(tempDir(), "app"),
      "hello",
      { version: "v1" },
      "keep_releases: 2\nrollback_window: 0s\n",
    );
    await deploy(client, repo);
    for (const v of ["v2", "v3", "v4"]) {
      setBehaviour(repo, { version: v });
      await deploy(client, repo);
    }
    const dirs = readdirSync(agent.dataDir.appReleasesDir("hello")).sort();
    expect(dirs).toEqual(["r3", "r4"]);
    expect(existsSync(agent.dataDir.logFile("hello", "r1"))).toBe(false);
    // Roll back to r3 (as r5), then deploy r6: r3 is the rollback target now, so r4 makes way for it.
    await rollback(client, "hello");
    setBehaviour(repo, { version: "v5" });
    await deploy(client, repo);
    expect(readdirSync(agent.dataDir.appReleasesDir("hello")).sort()).toEqual(["r3", "r6"]);
  });

  it("cancels a deploy whose client went away before the switch, and leaves no lock behind", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    await deploy(client, repo);
    setBehaviour(repo, { version: "v2", listenDelayMs: 4000 });
    const source = await readAppSource(repo);
    const abort = new AbortController();
    const res = await fetch(`${client.url}/v1/apps/hello/deploys`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${client.token}`,
        [DEPLOY_META_HEADER]: Buffer.from(JSON.stringify(deployMeta(source, "ctrl-c"))).toString("base64url"),
      },
      body: await archive(source),
      signal: abort.signal,
    });
    // Like Ctrl-C during the health gate: the client goes away once it has seen the release start.
    await streamUntil(res, (event) => event.type === "step" && event.step === "started");
    abort.abort();
    // The cancelled deploy stops and lets go of the app; the next one runs without --wait.
    setBehaviour(repo, { version: "v3" });
    const next = await until(
      "the app's lease to be free for the next deploy",
      () => deploy(client, repo).catch(() => undefined),
      { intervalMs: 200 },
    );
    expect(next.result.release?.id).toBe("r3");
    expect(await version(proxy)).toBe("v3");
    const { releases } = await client.json<{
      releases: Array<{ id: string; status: string; reason: string }>;
    }>("GET", "/v1/apps/hello/releases");
    expect(releases.find((r) => r.id === "r2")).toMatchObject({
      status: "failed",
      reason: "cancelled by the client",
    });
  });

  it("lets one deploy run at a time, naming the running one, and queues with --wait", async () => {
    const { client, proxy } = await startAgent(tempDir());
    // The first deploy's build runs until the test lets it finish, so the app stays held meanwhile.
    const go = join(tempDir(), "go");
    const repo = createAppRepo(
      join(tempDir(), "app"),
      "hello",
      { version: "v1" },
      `build: "while [ ! -f ${go} ]; do sleep 0.05; done"\n`,
    );
    const first = deploy(client, repo);
    await until("the first deploy to hold the app", async () => {
      const status = await client.json<StatusView>("GET", "/v1/status");
      return status.apps[0]?.deploying;
    });
    const error = await failure(deploy(client, repo));
    expect(error.message).toMatch(
      /another operation on hello is running: deploy of [0-9a-f]{7} by tester, since /,
    );
    const waiting = deferred();
    const source = await readAppSource(repo);
    const waitedEvents: StreamEvent[] = [];
    const waited = client.deploy(
      "hello",
      await archive(source),
      deployMeta(source, "tester"),
      { wait: true },
      (e) => {
        waitedEvents.push(e);
        if (e.type === "waiting") waiting.resolve();
      },
    );
    await Promise.race([waiting.promise, waited]);
    writeFileSync(go, "");
    expect((await first).result.release?.id).toBe("r1");
    // The refused deploy left no release behind: the queued one is r2, after the first.
    expect((await waited).release?.id).toBe("r2");
    expect(waitedEvents.filter((e) => e.type === "waiting")).toHaveLength(1);
    expect(await version(proxy)).toBe("v1");
  });
});
