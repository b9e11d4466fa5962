import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import type { BackupsResponse, RestoreResponse } from "../backups/api-types.js";
import { UsageError } from "../errors.js";
import { AgentClient } from "./client.js";
import { type AppOptions, withApp } from "./options.js";
import { formatDuration, Output } from "./output.js";
import { targetApp } from "./target-app.js";

interface RestoreFlags extends AppOptions {
  env?: string;
  yes?: boolean;
  force?: boolean;
}

/**
 * `skiff restore BACKUP_ID`: puts a backup back into the app (or into another environment, to test a
 * restore on staging). It replaces a live database, so it asks first; without a terminal to ask on it
 * needs --yes.
 */
export function register(program: Command): void {
  withApp(
    program
      .command("restore")
      .description("restore a backup into the app (a safety backup of what is there is taken first)")
      .argument("<BACKUP_ID>", "like b12 (see skiff backups)")
      .option("--env <name>", "restore into this environment instead (default: the backup's own)")
      .option("--yes", "do not ask for confirmation")
      .option("--force", "restore even a backup that failed verification"),
  ).action(async (id: string, flags: RestoreFlags) => {
    if (!/^b\d+$/.test(id)) throw new UsageError(`${id}: expected a backup id like b12 (see skiff backups)`);
    const out = new Output({ json: flags.json });
    const app = await targetApp(flags.app);
    const client = AgentClient.from(flags);
    if (!flags.yes) await confirm(client, app, id, flags.env);
    const body = await client.json<RestoreResponse>("POST", `/v1/apps/${app}/backups/${id}/restore`, {
      ...(flags.env ? { env: flags.env } : {}),
      force: Boolean(flags.force),
      requestedBy: userInfo().username,
    });
    out.result(body);
    out.line(`${out.paint("green", "✓")} ${body.note} (${formatDuration(body.durationMs)})`);
    if (body.safety) out.line(`  to undo: skiff restore ${body.safety.id} --app ${app} --env ${body.env}`);
  });
}

async function confirm(client: AgentClient, app: string, id: string, env: string | undefined): Promise<void> {
  if (!process.stdin.isTTY)
    throw new UsageError(
      `restore replaces ${app}'s database and there is no terminal to confirm on: pass --yes`,
    );
  const { backups } = await client.json<BackupsResponse>("GET", `/v1/backups?app=${app}&all=1`);
  const backup = backups.find((b) => b.id === id);
  const what = backup ? `${id} (${backup.name}, taken ${backup.createdAt})` : id;
  const into = env ?? backup?.env ?? "its environment";
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `Restore ${what} into ${app} (${into})? Its database is replaced; a safety backup is taken first. Type ${app} to confirm: `,
    );
    if (answer.trim() !== app) throw new UsageError("not confirmed: nothing was restored");
  } finally {
    rl.close();
  }
}
