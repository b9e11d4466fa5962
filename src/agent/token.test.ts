import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadMetricsToken } from "./token.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("loadMetricsToken", () => {
  it("reads --metrics-token-file first, then SKIFF_METRICS_TOKEN, else there is none", () => {
    const dir = mkdtempSync(join(tmpdir(), "skiff-token-"));
    dirs.push(dir);
    const file = join(dir, "metrics-token");
    writeFileSync(file, "from-file\n");
    expect(loadMetricsToken(file, { SKIFF_METRICS_TOKEN: "from-env" })).toBe("from-file");
    expect(loadMetricsToken(undefined, { SKIFF_METRICS_TOKEN: " from-env \n" })).toBe("from-env");
    expect(loadMetricsToken(undefined, {})).toBeUndefined();
  });

  it("names the flag when the file is missing", () => {
    expect(() => loadMetricsToken("/nonexistent/metrics-token", {})).toThrow(
      "--metrics-token-file /nonexistent/metrics-token: the file is empty or missing",
    );
  });

  it.each([
    ["empty", ""],
    ["only whitespace", " \n\n"],
  ])("names the flag when the file is %s, even with SKIFF_METRICS_TOKEN set", (_name, text) => {
    const dir = mkdtempSync(join(tmpdir(), "skiff-token-"));
    dirs.push(dir);
    const file = join(dir, "metrics-token");
    writeFileSync(file, text);
    expect(() => loadMetricsToken(file, { SKIFF_METRICS_TOKEN: "from-env" })).toThrow(
      `--metrics-token-file ${file}: the file is empty or missing`,
    );
  });
});
