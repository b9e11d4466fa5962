import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { configIssues, withSection } from "../config/test-support/config-issues.js";

describe("watch config", () => {
  it("reads every field", () => {
    const { watch } = parseAppConfig(
      withSection("watch: { window: 10m, max_error_rate: 0.5%, max_p95_latency: 750ms, min_requests: 50 }\n"),
    );
    expect(watch).toEqual({ windowMs: 600_000, maxErrorRate: 0.005, maxP95LatencyMs: 750, minRequests: 50 });
  });

  it("fills defaults for a partial section", () => {
    expect(parseAppConfig(withSection("watch: { window: 0s }\n")).watch).toEqual({
      windowMs: 0,
      maxErrorRate: 0.01,
      maxP95LatencyMs: 2000,
      minRequests: 20,
    });
  });

  it.each([
    ["watch: { max_error_rate: 1 }\n", "watch.max_error_rate: expected a percentage like 1% or 0.5%"],
    [
      "watch: { max_error_rate: 150% }\n",
      'watch.max_error_rate: expected a percentage like 1% or 0.5%, got "150%"',
    ],
    ["watch: { max_error_rate: one percent }\n", "watch.max_error_rate: expected a percentage"],
    ["watch: { window: forever }\n", "watch.window: expected a duration like"],
    ["watch: { max_p95_latency: 2 }\n", "watch.max_p95_latency: expected a duration like"],
    ["watch: { min_requests: 0 }\n", "watch.min_requests: expected a whole number from 1 to 1000000"],
    ["watch: { windw: 5m }\n", "watch.windw: unknown key (did you mean window?)"],
    ["watch: 5m\n", "watch: "],
  ])("%j → %s", (section, message) => {
    expect(configIssues(withSection(section)).join("\n")).toContain(message);
  });
});
