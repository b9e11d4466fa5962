import type { Command } from "commander";
import type { AlertsTestResponse } from "../alerts/alerts-test-api.js";
import { AgentClient } from "./client.js";
import { type AppOptions, withApp } from "./options.js";
import { Output } from "./output.js";
import { targetApp } from "./target-app.js";
import { printAlertsTest } from "./views/alerts-test.js";

export function register(program: Command): void {
  const alerts = program
    .command("alerts")
    .description("the app's alert channels (Slack, Discord, webhook, email, ntfy)");
  withApp(
    alerts.command("test").description("send a test message to every channel and report each result"),
  ).action(async (flags: AppOptions) => {
    const out = new Output({ json: flags.json });
    const app = targetApp(flags.app);
    const body = await AgentClient.from(flags).json<AlertsTestResponse>(
      "POST",
      `/v1/apps/${app}/alerts/test`,
    );
    printAlertsTest(out, body);
  });
}
