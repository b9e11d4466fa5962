import { createHmac } from "node:crypto";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseView } from "../src/agent/api-types.js";
import { type Receiver, startReceiver } from "../src/alerts/test-support/receivers.js";
import { Load } from "../src/demo/load.js";
import type { IncidentsResponse } from "../src/monitor/incidents-api.js";
import { startHttp, type TestServer } from "../src/monitor/test-support/servers.js";
import { until } from "../src/test-support/wait.js";
import { deploy, useAgents, version } from "./support/agent.js";
import { createAppRepo, setBehaviour } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const startAgent = useAgents();
const SLACK_ENV = `SKIFF_TEST_SLACK_${process.pid}`;
const HOOK_SECRET_ENV = `SKIFF_TEST_ALERT_SECRET_${process.pid}`;
const hookSecret = ["alert", process.pid, Date.now()].join("-");

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
beforeAll(() => {
  process.env[HOOK_SECRET_ENV] = hookSecret;
});
afterAll(() => {
  delete process.env[HOOK_SECRET_ENV];
  delete process.env[SLACK_ENV];
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  closers.push(() => r.close());
  return r;
}

describe("monitoring and alerts", () => {
  it("opens an incident when a monitored server goes down, alerts once with the fix, and resolves it", async () => {
    const slack = await receiver();
    const hook = await receiver();
    process.env[SLACK_ENV] = `${slack.url}/services/T000/B000/x`;
    let up = true;
    let downStatus = 503;
    const target: TestServer = await startHttp((_req, res) => {
      res.writeHead(up ? 200 : downStatus).end(up ? "Welcome" : "down");
    });
    closers.push(() => target.close());
    const { client, info, agent } = await startAgent(tempDir());
    const repo = createAppRepo(
      join(tempDir(), "app"),
      "watched",
      { version: "v1" },
      `monitors:
  - name: home
    url: ${target.url}/
    interval: 1s
    timeout: 500ms
    expect: { status: 200, body_contains: Welcome }
    failure_threshold: 2
    success_threshold: 2
alerts:
  - slack: { webhook_url_env: ${SLACK_ENV} }
  - webhook: { url: ${hook.url}/skiff, secret_env: ${HOOK_SECRET_ENV} }
`,
    );
    await deploy(client, repo);

    up = false;
    const opened = await until("the incident to open", async () => {
      const body = await client.json<IncidentsResponse>("GET", "/v1/incidents?open=1");
      return body.incidents.find((i) => i.monitor === "home");
    });
    expect(opened).toMatchObject({ app: "watched", release: "r1", resolvedAt: null });
    expect(opened.cause).toMatch(/status 503/);
    await until("the alerts", () => slack.received.length > 0 && hook.received.length > 0);
    expect(slack.received).toHaveLength(1);
    const webhookCall = hook.received[0]!;
    const signature = createHmac("sha256", hookSecret).update(webhookCall.body).digest("hex");
    expect(webhookCall.headers["x-skiff-signature"]).toContain(signature);
    const payload = JSON.parse(webhookCall.body);
    expect(JSON.stringify(payload)).toContain("skiff rollback --app watched");
    expect(webhookCall.body).not.toContain(hookSecret);
    expect(slack.received[0]!.body).toMatch(/monitor \\"home\\" is down/);

    // Failures go on while it is open, another way now: the incident's cause becomes the last error
    // (checks ran while it was open), and still one alert.
    downStatus = 502;
    await until("the cause to follow the last error", async () => {
      const body = await client.json<IncidentsResponse>("GET", "/v1/incidents?open=1");
      return body.incidents.find((i) => i.monitor === "home" && /status 502/.test(i.cause));
    });
    expect(slack.received).toHaveLength(1);

    up = true;
    const resolved = await until("the incident to resolve", async () => {
      const body = await client.json<IncidentsResponse>("GET", "/v1/incidents");
      return body.incidents.find((i) => i.monitor === "home" && i.resolvedAt !== null);
    });
    expect(resolved.durationMs).toBeGreaterThan(0);
    await until("the resolved alert", () => slack.received.some((r) => /is back up/.test(r.body)));
    // A channel delivers in order: a second "down" alert sent while the incident was open would
    // have arrived before this one. Exactly one down, then one up.
    expect(slack.received.map((r) => (/is back up/.test(r.body) ? "up" : "down"))).toEqual(["down", "up"]);

    const metrics = await fetch(`${info.api}/metrics`, {
      headers: { authorization: `Bearer ${agent.token}` },
    });
    const text = await metrics.text();
    for (const name of [
      "skiff_http_requests_total",
      "skiff_http_request_duration_seconds_bucket",
      "skiff_deploys_total",
      "skiff_release_info",
      "skiff_monitor_up",
      "skiff_incidents_open",
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/skiff_monitor_up\{monitor="home",app="watched"\} 1/);
    expect((await fetch(`${info.api}/metrics`)).status).toBe(401);

    const test = await client.json<{ results: Array<{ ok: boolean; channel: string }>; problems: string[] }>(
      "POST",
      "/v1/apps/watched/alerts/test",
    );
    expect(test.problems).toEqual([]);
    expect(test.results.map((r) => r.ok)).toEqual([true, true]);
  });

  it("refuses a deploy whose alert channel's secret is not in the agent's environment, naming the field", async () => {
    const { client } = await startAgent(tempDir());
    const repo = createAppRepo(
      join(tempDir(), "app"),
      "unsent",
      {},
      "alerts:\n  - discord: { webhook_url_env: SKIFF_TEST_NOT_SET_ANYWHERE }\n",
    );
    const error = await deploy(client, repo).then(
      () => undefined,
      (e: Error & { issues?: string[] }) => e,
    );
    expect(error?.issues).toEqual([
      "alerts.discord.webhook_url_env: SKIFF_TEST_NOT_SET_ANYWHERE is not set in the agent's secret store or environment (skiff secrets set SKIFF_TEST_NOT_SET_ANYWHERE)",
    ]);
  });

  it("rolls a release that fails requests back automatically under load, and says so", async () => {
    const hook = await receiver();
    const { client, proxy, info, agent } = await startAgent(tempDir());
    const watch = `watch: { window: 1m, max_error_rate: 5%, min_requests: 20 }
alerts:
  - webhook: { url: ${hook.url}/alerts }
`;
    const repo = createAppRepo(join(tempDir(), "app"), "spiky", { version: "v1" }, watch);
    await deploy(client, repo);
    setBehaviour(repo, { version: "v2", errorPaths: ["/"] }, "feat: v2 breaks the home page");
    const load = new Load({ url: proxy, concurrency: 4, maxRequests: 20_000, maxDurationMs: 30_000 });
    try {
      const deployed = await deploy(client, repo);
      expect(deployed.result.release?.id).toBe("r2");
      const back = await until("the automatic rollback", async () => {
        const { releases } = await client.json<{ releases: ReleaseView[] }>("GET", "/v1/apps/spiky/releases");
        return releases.find((r) => r.trigger === "auto-rollback" && r.status === "live");
      });
      expect(back).toMatchObject({ artifact: "r1", rollbackOf: "r2" });
      const { releases } = await client.json<{ releases: ReleaseView[] }>("GET", "/v1/apps/spiky/releases");
      const bad = releases.find((r) => r.id === "r2")!;
      expect(bad.status).toBe("rolled-back");
      expect(bad.reason).toMatch(/5xx share .* is over the 5% limit; rolled back to r1/);
      expect(await version(proxy)).toBe("v1");
    } finally {
      await load.stop();
    }
    const alert = await until("the rollback alert", () =>
      hook.received.find((r) => r.body.includes("rolled back automatically")),
    );
    expect(alert.body).toContain("skiff rollback --app spiky --to r2");
    const metrics = await fetch(`${info.api}/metrics`, {
      headers: { authorization: `Bearer ${agent.token}` },
    });
    const text = await metrics.text();
    // Two deploys went live and one was taken out; the rollback itself is not a third deploy.
    expect(text).toContain('skiff_deploys_total{app="spiky",env="production",outcome="live"} 2');
    expect(text).toContain('skiff_deploys_total{app="spiky",env="production",outcome="rolled-back"} 1');
  });
});
