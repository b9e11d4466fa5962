import type { Command } from "commander";
import type { IncidentsResponse } from "../monitor/incidents-api.js";
import { AgentClient } from "./client.js";
import { type AppOptions, withApp } from "./options.js";
import { Output } from "./output.js";
import { printIncidents } from "./views/incidents.js";

export function register(program: Command): void {
  withApp(
    program
      .command("incidents")
      .description("when monitors went down and came back: start, end, duration, cause, release")
      .option("--open", "only incidents still open"),
  ).action(async (flags: AppOptions & { open?: boolean }) => {
    const out = new Output({ json: flags.json });
    const query = new URLSearchParams({
      ...(flags.open ? { open: "1" } : {}),
      ...(flags.app ? { app: flags.app } : {}),
    });
    const body = await AgentClient.from(flags).json<IncidentsResponse>("GET", `/v1/incidents?${query}`);
    printIncidents(out, body, { open: Boolean(flags.open) });
  });
}
