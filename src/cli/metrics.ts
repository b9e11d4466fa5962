import type { Command } from "commander";
import type { DeliveryMetricsResponse } from "../metrics/metrics-api.js";
import { AgentClient } from "./client.js";
import { type AppOptions, withApp } from "./options.js";
import { Output } from "./output.js";
import { parseSinceFlag, printMetrics } from "./views/metrics.js";

export function register(program: Command): void {
  withApp(
    program
      .command("metrics")
      .description("how you ship: DORA's four keys with their bands, deploy duration, rollbacks, incidents")
      .option("--since <duration>", "the window to measure, like 30d or 12h", "30d"),
  ).action(async (flags: AppOptions & { since: string }) => {
    const out = new Output({ json: flags.json });
    parseSinceFlag(flags.since);
    const query = new URLSearchParams({ since: flags.since, ...(flags.app ? { app: flags.app } : {}) });
    const body = await AgentClient.from(flags).json<DeliveryMetricsResponse>(
      "GET",
      `/v1/metrics/delivery?${query}`,
    );
    printMetrics(out, body);
  });
}
