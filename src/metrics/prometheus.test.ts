import { describe, expect, it } from "vitest";
import { SkiffMetrics } from "./prometheus.js";

/** The sample lines of the exposition text, without HELP and TYPE comments. */
async function samples(metrics: SkiffMetrics): Promise<string[]> {
  return (await metrics.render()).split("\n").filter((line) => line && !line.startsWith("#"));
}

describe("SkiffMetrics", () => {
  it("exposes exactly the metric names and labels of the interface", async () => {
    const m = new SkiffMetrics();
    const r = m.requestRecorder("hello", "r42");
    r.record(200, 0.02);
    r.record(200, 0.3);
    r.record(503, 0.004);
    m.deployFinished("hello", "live");
    m.deployFinished("hello", "failed");
    m.deployFinished("hello", "live");
    m.setLiveRelease("hello", "r42", "1.4.0");
    m.setMonitorUp("hello", "home", true);
    m.setMonitorUp("hello", "db", false);
    m.setIncidentsOpen(1);
    const lines = await samples(m);
    expect(lines).toEqual(
      expect.arrayContaining([
        'http_requests_total{app="hello",release="r42",code="200"} 2',
        'http_requests_total{app="hello",release="r42",code="503"} 1',
        'http_request_duration_seconds_bucket{le="0.005",app="hello",release="r42"} 1',
        'http_request_duration_seconds_bucket{le="0.025",app="hello",release="r42"} 2',
        'http_request_duration_seconds_bucket{le="0.5",app="hello",release="r42"} 3',
        'http_request_duration_seconds_bucket{le="+Inf",app="hello",release="r42"} 3',
        'http_request_duration_seconds_count{app="hello",release="r42"} 3',
        'skiff_deploys_total{app="hello",outcome="live"} 2',
        'skiff_deploys_total{app="hello",outcome="failed"} 1',
        'skiff_release_info{app="hello",release="r42",version="1.4.0"} 1',
        'skiff_monitor_up{monitor="home",app="hello"} 1',
        'skiff_monitor_up{monitor="db",app="hello"} 0',
        "skiff_incidents_open 1",
      ]),
    );
    const names = new Set(
      lines.map((line) => line.replace(/[{ ].*$/, "").replace(/_(bucket|sum|count)$/, "")),
    );
    expect([...names].sort()).toEqual([
      "http_request_duration_seconds",
      "http_requests_total",
      "skiff_deploys_total",
      "skiff_incidents_open",
      "skiff_monitor_up",
      "skiff_release_info",
    ]);
    expect(m.contentType).toMatch(/^text\/plain/);
  });

  it("hands out one recorder per release and counts an odd status under code 0", async () => {
    const m = new SkiffMetrics();
    expect(m.requestRecorder("a", "r1")).toBe(m.requestRecorder("a", "r1"));
    expect(m.requestRecorder("a", "r1")).not.toBe(m.requestRecorder("a", "r2"));
    m.requestRecorder("a", "r1").record(999, 0.01);
    expect(await samples(m)).toContain('http_requests_total{app="a",release="r1",code="0"} 1');
  });

  it("keeps one release_info series per app, and forgets pruned releases and removed monitors", async () => {
    const m = new SkiffMetrics();
    m.setLiveRelease("hello", "r1", "1.0.0");
    m.setLiveRelease("hello", "r2", "1.1.0");
    m.setLiveRelease("other", "r9", "0.1.0");
    m.requestRecorder("hello", "r1").record(200, 0.01);
    m.requestRecorder("hello", "r1").record(500, 0.01);
    m.requestRecorder("hello", "r2").record(200, 0.01);
    m.setMonitorUp("hello", "home", true);
    m.forgetRelease("hello", "r1");
    m.removeMonitor("hello", "home");
    const text = (await samples(m)).join("\n");
    expect(text).toContain('skiff_release_info{app="hello",release="r2",version="1.1.0"} 1');
    expect(text).toContain('skiff_release_info{app="other",release="r9",version="0.1.0"} 1');
    expect(text).not.toContain('release="r1"');
    expect(text).toContain('http_requests_total{app="hello",release="r2",code="200"} 1');
    expect(text).not.toContain("skiff_monitor_up{");
  });

  it("keeps separate agents' registries apart", async () => {
    const a = new SkiffMetrics();
    const b = new SkiffMetrics();
    a.setIncidentsOpen(3);
    expect(await samples(b)).toContain("skiff_incidents_open 0");
  });
});
