import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AgentInfo } from "../src/agent/agent.js";
import { archive, deployMeta, readAppSource } from "../src/cli/app-source.js";
import type { AgentClient } from "../src/cli/client.js";
import { USUAL_STATUS_CODES } from "../src/metrics/request-metrics.js";
import { requireExternal } from "../src/test-support/external.js";
import { get, useAgents } from "./support/agent.js";
import { createAppRepo } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const startAgent = useAgents();

const promtoolMissing = requireExternal(
  "promtool",
  "prometheus",
  spawnSync("promtool", ["--version"], { stdio: "ignore" }).status === 0,
);

/** `promtool check metrics` on an exposition text: its exit code and what it complained about. */
function promtool(text: string): { code: number | null; output: string } {
  const run = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { code: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

async function scrape(info: AgentInfo, token: string): Promise<string> {
  const res = await fetch(`${info.api}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.text();
}

/** A deploy to `env` that scrapes /metrics the moment the agent reports the switch. */
async function deployScrapingAtSwitch(
  client: AgentClient,
  dir: string,
  env: string,
  scrapeNow: () => Promise<string>,
): Promise<string> {
  const source = await readAppSource(dir);
  let atSwitch: Promise<string> | undefined;
  await client.deploy(
    source.config.app,
    await archive(source),
    deployMeta(source, "tester"),
    { env },
    (e) => {
      if (e.type === "step" && e.step === "switched") atSwitch = scrapeNow();
    },
  );
  if (!atSwitch) throw new Error("the deploy reported no switch");
  return atSwitch;
}

/** The value of one sample line, or undefined when the series is absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.skipIf(promtoolMissing)("GET /metrics around real deploys, checked by promtool", () => {
  it("has the new release's request counters at 0 at the switch, an env label everywhere, and passes promtool", async () => {
    const { agent, info, client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(
      join(tempDir(), "app"),
      "metered",
      { version: "v1", errorPaths: ["/broken"] },
      "environments:\n  staging: { host: staging.metered.test }\n",
    );
    const scrapeNow = () => scrape(info, agent.token);

    await deployScrapingAtSwitch(client, repo, "production", scrapeNow);
    // Staging gets no traffic at all (no monitor either), so its series are exactly 0 at the switch.
    const atSwitch = await deployScrapingAtSwitch(client, repo, "staging", scrapeNow);
    const staging = 'app="metered",env="staging",release="r2"';
    for (const code of USUAL_STATUS_CODES) {
      expect(value(atSwitch, `skiff_http_requests_total{${staging},code="${code}"}`), `code ${code}`).toBe(0);
    }
    expect(value(atSwitch, `skiff_http_request_duration_seconds_count{${staging}}`)).toBe(0);
    expect(promtool(atSwitch)).toEqual({ code: 0, output: "" });

    for (let i = 0; i < 5; i++) expect((await get(`${proxy}/`, "staging.metered.test")).status).toBe(200);
    expect((await get(`${proxy}/broken`, "staging.metered.test")).status).toBe(500);
    for (let i = 0; i < 3; i++) expect((await get(`${proxy}/`)).status).toBe(200);

    const after = await scrapeNow();
    expect(promtool(after)).toEqual({ code: 0, output: "" });
    expect(value(after, `skiff_http_requests_total{${staging},code="200"}`)).toBe(5);
    expect(value(after, `skiff_http_requests_total{${staging},code="500"}`)).toBe(1);
    expect(value(after, `skiff_http_requests_total{${staging},code="503"}`)).toBe(0);
    expect(value(after, `skiff_http_request_duration_seconds_count{${staging}}`)).toBe(6);
    // Production also counts its health monitor's probes through the proxy: at least the 3 requests.
    const production = 'app="metered",env="production",release="r1"';
    expect(value(after, `skiff_http_requests_total{${production},code="200"}`)).toBeGreaterThanOrEqual(3);
    expect(
      value(after, 'skiff_release_info{app="metered",env="production",release="r1",version="0.1.0"}'),
    ).toBe(1);
    expect(value(after, 'skiff_release_info{app="metered",env="staging",release="r2",version=""}')).toBe(1);
    expect(value(after, 'skiff_deploys_total{app="metered",env="production",outcome="live"}')).toBe(1);
    expect(value(after, 'skiff_deploys_total{app="metered",env="staging",outcome="live"}')).toBe(1);
    // The unprefixed names, deprecated, still answer for one release, without env.
    expect(value(after, 'http_requests_total{app="metered",release="r2",code="200"}')).toBe(5);

    // promtool is not a rubber stamp: a counter without _total is refused.
    expect(promtool("# HELP bad_count x\n# TYPE bad_count counter\nbad_count 1\n").code).not.toBe(0);
  });
});
