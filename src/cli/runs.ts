import type { Command } from "commander";
import type { RunView } from "../agent/api-types.js";
import { AgentClient } from "./client.js";
import { type AppOptions, wholeNumber, withApp } from "./options.js";
import { formatDuration, formatTime, Output } from "./output.js";
import { targetApp } from "./target-app.js";

interface RunsFlags extends AppOptions {
  limit: number;
}

export function register(program: Command): void {
  withApp(
    program
      .command("runs")
      .description(
        "the one-off commands run in the app (skiff run): who ran what, when, for how long, how it ended",
      )
      .option("--limit <n>", "how many, newest first", wholeNumber("--limit", 1), 50),
  ).action(async (flags: RunsFlags) => {
    const out = new Output({ json: flags.json });
    const app = await targetApp(flags.app);
    const list = await AgentClient.from(flags).json<{ app: string; runs: RunView[] }>(
      "GET",
      `/v1/apps/${app}/runs?limit=${flags.limit}`,
    );
    out.result(list);
    if (list.runs.length === 0) {
      out.line(`no one-off commands run in ${app} yet: skiff run -- CMD ARGS…`);
      return;
    }
    out.table(
      ["ID", "ENV", "RELEASE", "BY", "AS", "STARTED", "DURATION", "EXIT", "COMMAND"],
      list.runs.map((run) => [
        run.id,
        run.env,
        run.release,
        run.requestedBy,
        run.runAs,
        formatTime(run.startedAt),
        run.durationMs === null ? "running" : formatDuration(run.durationMs),
        outcome(run),
        run.argv.map(shellWord).join(" "),
      ]),
    );
  });
}

function outcome(run: RunView): string {
  if (run.ending === null) return "-";
  if (run.ending === "agent-stopped") return "agent stopped";
  const code = String(run.exitCode ?? "-");
  return run.ending === "interrupted" ? `${code} (interrupted)` : code;
}

/** An argument shown as a shell would need it typed, so the column reads like the command. */
function shellWord(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
