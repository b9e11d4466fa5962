import { userInfo } from "node:os";
import type { Command } from "commander";
import { isVersion } from "../deployer/versioning.js";
import { PRODUCTION } from "../environments/names.js";
import { UsageError } from "../errors.js";
import { AgentClient } from "./client.js";
import { runOperation } from "./operation.js";
import { type AppOptions, withApp } from "./options.js";
import { formatDuration, Output } from "./output.js";
import { targetApp } from "./target-app.js";

interface RollbackFlags extends AppOptions {
  to?: string;
  env: string;
  wait?: boolean;
}

export function register(program: Command): void {
  withApp(
    program
      .command("rollback")
      .description("put the previous healthy release back (instantly when it is still warm)")
      .option(
        "--to <release>",
        "a release id like r3 or a version like v1.4.2 (default: the last one live before)",
        rollbackTarget,
      )
      .option("--env <name>", "the environment to roll back", PRODUCTION)
      .option("--wait", "wait for a running deploy of the app to finish instead of failing"),
  ).action(async (flags: RollbackFlags) => {
    const out = new Output({ json: flags.json });
    const app = await targetApp(flags.app);
    const started = Date.now();
    const { release, events } = await runOperation(out, AgentClient.from(flags), `/v1/apps/${app}/rollback`, {
      to: flags.to,
      env: flags.env,
      requestedBy: userInfo().username,
      wait: Boolean(flags.wait),
    });
    const what = `${release.artifact}${release.version ? ` (v${release.version})` : ""}${release.commit ? ` at ${release.commit.sha.slice(0, 7)}` : ""}`;
    // The agent answers once the switch is done; the release it replaced drains after.
    out.line(
      `\n${app} rolled back: 100% of traffic is on ${release.id}, serving ${what}, ${formatDuration(Date.now() - started)} after the command`,
    );
    if (release.rollbackOf)
      out.line(
        `${release.rollbackOf} drains in the background: \`skiff releases\` shows ${release.id} "${release.rollbackOf} draining" until its in-flight requests are done, then how it ended`,
      );
    out.result({ ok: true, release, events });
  });
}

function rollbackTarget(value: string): string {
  if (/^r\d+$/.test(value) || isVersion(value)) return value;
  throw new UsageError(`--to ${value}: expected a release id like r3 or a version like v1.4.2`);
}
