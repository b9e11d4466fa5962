import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Load } from "../src/demo/load.js";
import { until } from "../src/test-support/wait.js";
import { deploy, rollback, useAgents } from "./support/agent.js";
import { createAppRepo, setBehaviour } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const startAgent = useAgents();

describe("zero downtime", () => {
  it("answers every request with 2xx through several deploys and rollbacks under load", async () => {
    const { client, proxy } = await startAgent(tempDir());
    const repo = createAppRepo(join(tempDir(), "app"), "steady", { version: "v1" }, "instances: 2\n");
    await deploy(client, repo);
    const load = new Load({ url: proxy, concurrency: 16, maxRequests: 100_000, maxDurationMs: 60_000 });
    try {
      for (const v of ["v2", "v3", "v4"]) {
        setBehaviour(repo, { version: v });
        await deploy(client, repo);
        await rollback(client, "steady");
      }
      setBehaviour(repo, { version: "v5" });
      await deploy(client, repo);
      await until("the load to reach the last release", () => (load.snapshot().byVersion.v5 ?? 0) > 0);
    } finally {
      // The load stops whatever happened above; what it saw is asserted below, not here, so a
      // failure above is reported as itself.
      await load.stop();
    }
    const report = load.snapshot();
    expect(report.errors).toEqual({});
    expect(report.byStatus).toEqual({ "200": report.sent });
    expect(report.failed).toBe(0);
    expect(report.sent).toBeGreaterThan(500);
    // Each release answered some of the load: the switches happened while it ran.
    expect(Object.keys(report.byVersion).sort()).toEqual(["v1", "v2", "v3", "v4", "v5"]);
  });
});
