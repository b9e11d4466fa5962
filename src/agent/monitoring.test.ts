import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../store/store.js";
import { Monitoring } from "./monitoring.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function monitoring(): Monitoring {
  const dir = mkdtempSync(join(tmpdir(), "skiff-monitoring-"));
  const store = new Store(join(dir, "skiff.db"));
  cleanups.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return new Monitoring({
    store,
    logger: pino({ level: "silent" }),
    proxyUrl: "http://127.0.0.1:1",
    healthy: () => true,
    rollback: () => Promise.reject(new Error("not in this test")),
  });
}

describe("Monitoring", () => {
  it("counts proxied requests per release and keeps only the recent releases' series", async () => {
    const m = monitoring();
    for (let i = 1; i <= 12; i++) m.observer("hello", "hello", `r${i}`)(i === 12 ? 500 : 200, 12);
    m.observer("hello", "hello/staging", "r13")(200, 3);
    const text = await m.metrics.render();
    const releases = [...text.matchAll(/^skiff_http_requests_total\{[^}]*release="(r\d+)"[^}]*\} 1$/gm)].map(
      (x) => x[1],
    );
    expect(releases.sort()).toEqual(["r10", "r11", "r12", "r13", "r3", "r4", "r5", "r6", "r7", "r8", "r9"]);
    expect(text).toMatch(
      /skiff_http_requests_total\{app="hello",env="production",release="r12",code="500"\} 1/,
    );
    expect(text).toContain('skiff_http_requests_total{app="hello",env="staging",release="r13",code="200"} 1');
  });
});
