import { userInfo } from "node:os";
import type { Command } from "commander";
import type { ReleaseView, StreamEvent } from "../agent/api-types.js";
import { AgentClient } from "./client.js";
import { type AppOptions, withApp } from "./options.js";
import { formatDuration, Output } from "./output.js";
import { printStreamEvent } from "./stream-output.js";
import { targetApp } from "./target-app.js";

interface RollbackFlags extends AppOptions {
  to?: string;
  wait?: boolean;
}

export function register(program: Command): void {
  withApp(
    program
      .command("rollback")
      .description("put the previous healthy release back (instantly when it is still warm)")
      .option(
        "--to <release>",
        "the release to put back, like r3 (default: the last one live before the current)",
      )
      .option("--wait", "wait for a running deploy of the app to finish instead of failing"),
  ).action(async (flags: RollbackFlags) => {
    const out = new Output({ json: flags.json });
    const app = targetApp(flags.app);
    const client = AgentClient.from(flags);
    const started = Date.now();
    const events: StreamEvent[] = [];
    const body = JSON.stringify({
      to: flags.to,
      requestedBy: userInfo().username,
      wait: Boolean(flags.wait),
    });
    const result = await client.operation(
      `/v1/apps/${app}/rollback`,
      { body, headers: { "content-type": "application/json" } },
      (event) => {
        events.push(event);
        printStreamEvent(out, event);
      },
    );
    const release = result.release as ReleaseView;
    out.line(
      `\n${app} rolled back: ${release.id} serves ${release.artifact}${release.commit ? ` (${release.commit.sha.slice(0, 7)})` : ""} in ${formatDuration(Date.now() - started)}`,
    );
    out.result({ ok: true, release, events });
  });
}
