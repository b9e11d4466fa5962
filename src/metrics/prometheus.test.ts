import { describe, expect, it } from "vitest";
import { deployEnvLabel, type LiveRelease, SkiffMetrics } from "./prometheus.js";
import { USUAL_STATUS_CODES } from "./request-metrics.js";

/** The sample lines of the exposition text, without HELP and TYPE comments. */
async function samples(metrics: SkiffMetrics): Promise<string[]> {
  return (await metrics.render()).split("\n").filter((line) => line && !line.startsWith("#"));
}

describe("SkiffMetrics", () => {
  it("exposes exactly the metric names and labels of the interface", async () => {
    const m = new SkiffMetrics(() => [{ app: "hello", env: "production", id: "r42", version: "1.4.0" }]);
    const r = m.requestRecorder("hello", "production", "r42");
    r.record(200, 0.02);
    r.record(200, 0.3);
    r.record(503, 0.004);
    m.deployFinished("hello", "production", "live");
    m.deployFinished("hello", "production", "failed");
    m.deployFinished("hello", "production", "live");
    m.setMonitorUp("hello", "home", true);
    m.setMonitorUp("hello", "db", false);
    m.setIncidentsOpen(1);
    const lines = await samples(m);
    const labels = 'app="hello",env="production",release="r42"';
    expect(lines).toEqual(
      expect.arrayContaining([
        `skiff_http_requests_total{${labels},code="200"} 2`,
        `skiff_http_requests_total{${labels},code="503"} 1`,
        `skiff_http_request_duration_seconds_bucket{le="0.005",${labels}} 1`,
        `skiff_http_request_duration_seconds_bucket{le="0.025",${labels}} 2`,
        `skiff_http_request_duration_seconds_bucket{le="0.5",${labels}} 3`,
        `skiff_http_request_duration_seconds_bucket{le="+Inf",${labels}} 3`,
        `skiff_http_request_duration_seconds_count{${labels}} 3`,
        'skiff_deploys_total{app="hello",env="production",outcome="live"} 2',
        'skiff_deploys_total{app="hello",env="production",outcome="failed"} 1',
        'skiff_release_info{app="hello",env="production",release="r42",version="1.4.0"} 1',
        'skiff_monitor_up{monitor="home",app="hello"} 1',
        'skiff_monitor_up{monitor="db",app="hello"} 0',
        "skiff_incidents_open 1",
        // The names before the skiff_ prefix, deprecated, with their old labels, for one release.
        'http_requests_total{app="hello",release="r42",code="200"} 2',
        'http_request_duration_seconds_count{app="hello",release="r42"} 3',
      ]),
    );
    const names = new Set(
      lines.map((line) => line.replace(/[{ ].*$/, "").replace(/_(bucket|sum|count)$/, "")),
    );
    expect([...names].sort()).toEqual([
      "http_request_duration_seconds",
      "http_requests_total",
      "skiff_deploys_total",
      "skiff_http_request_duration_seconds",
      "skiff_http_requests_total",
      "skiff_incidents_open",
      "skiff_monitor_up",
      "skiff_release_info",
    ]);
    expect(m.contentType).toMatch(/^text\/plain/);
  });

  it("has a release's usual status codes at 0 from the moment it is switched in, before any request", async () => {
    const m = new SkiffMetrics();
    m.requestRecorder("hello", "staging", "r7");
    const lines = await samples(m);
    const counters = lines.filter((line) => line.startsWith("skiff_http_requests_total{"));
    expect(counters).toEqual(
      USUAL_STATUS_CODES.map(
        (code) => `skiff_http_requests_total{app="hello",env="staging",release="r7",code="${code}"} 0`,
      ),
    );
    expect(counters.map((line) => line.match(/code="(\d+)"/)?.[1])).toEqual(
      expect.arrayContaining(["200", "404", "500", "502", "503", "504"]),
    );
    expect(lines).toContain(
      'skiff_http_request_duration_seconds_count{app="hello",env="staging",release="r7"} 0',
    );
  });

  it("hands out one recorder per release and counts an odd status under code 0", async () => {
    const m = new SkiffMetrics();
    expect(m.requestRecorder("a", "production", "r1")).toBe(m.requestRecorder("a", "production", "r1"));
    expect(m.requestRecorder("a", "production", "r1")).not.toBe(m.requestRecorder("a", "production", "r2"));
    m.requestRecorder("a", "production", "r1").record(999, 0.01);
    m.requestRecorder("a", "production", "r1").record(418, 0.01);
    const lines = await samples(m);
    expect(lines).toContain('skiff_http_requests_total{app="a",env="production",release="r1",code="0"} 1');
    expect(lines).toContain('skiff_http_requests_total{app="a",env="production",release="r1",code="418"} 1');
    // Codes outside the usual ones appear only once seen.
    expect(lines.join("\n")).not.toContain('release="r2",code="418"');
  });

  it("shows every environment's live release as the ledger has it, at each scrape", async () => {
    let live: LiveRelease[] = [
      { app: "hello", env: "production", id: "r2", version: "1.1.0" },
      { app: "hello", env: "staging", id: "r3", version: null },
      { app: "other", env: "production", id: "r9", version: "0.1.0" },
    ];
    const m = new SkiffMetrics(() => live);
    expect((await samples(m)).filter((line) => line.startsWith("skiff_release_info"))).toEqual([
      'skiff_release_info{app="hello",env="production",release="r2",version="1.1.0"} 1',
      'skiff_release_info{app="hello",env="staging",release="r3",version=""} 1',
      'skiff_release_info{app="other",env="production",release="r9",version="0.1.0"} 1',
    ]);
    live = [{ app: "hello", env: "production", id: "r4", version: "1.2.0" }];
    expect((await samples(m)).filter((line) => line.startsWith("skiff_release_info"))).toEqual([
      'skiff_release_info{app="hello",env="production",release="r4",version="1.2.0"} 1',
    ]);
  });

  it("counts deploys per environment, every preview as one", async () => {
    const m = new SkiffMetrics();
    m.deployFinished("hello", "production", "live");
    m.deployFinished("hello", "staging", "live");
    m.deployFinished("hello", "preview:feat-a", "live");
    m.deployFinished("hello", "preview:feat-b", "failed");
    const lines = await samples(m);
    expect(lines.filter((line) => line.startsWith("skiff_deploys_total"))).toEqual([
      'skiff_deploys_total{app="hello",env="production",outcome="live"} 1',
      'skiff_deploys_total{app="hello",env="staging",outcome="live"} 1',
      'skiff_deploys_total{app="hello",env="preview",outcome="live"} 1',
      'skiff_deploys_total{app="hello",env="preview",outcome="failed"} 1',
    ]);
    expect(deployEnvLabel("production")).toBe("production");
    expect(deployEnvLabel("preview:x")).toBe("preview");
  });

  it("forgets pruned releases and removed monitors", async () => {
    const m = new SkiffMetrics();
    m.requestRecorder("hello", "production", "r1").record(200, 0.01);
    m.requestRecorder("hello", "production", "r1").record(500, 0.01);
    m.requestRecorder("hello", "production", "r2").record(200, 0.01);
    m.setMonitorUp("hello", "home", true);
    m.forgetRelease("hello", "production", "r1");
    m.removeMonitor("hello", "home");
    const text = (await samples(m)).join("\n");
    expect(text).not.toContain('release="r1"');
    expect(text).toContain(
      'skiff_http_requests_total{app="hello",env="production",release="r2",code="200"} 1',
    );
    expect(text).not.toContain("skiff_monitor_up{");
  });

  it("keeps separate agents' registries apart", async () => {
    const a = new SkiffMetrics();
    const b = new SkiffMetrics();
    a.setIncidentsOpen(3);
    expect(await samples(b)).toContain("skiff_incidents_open 0");
  });
});
