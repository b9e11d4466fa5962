import type { Command } from "commander";
import type { BackupNowResponse } from "../backups/api-types.js";
import { PRODUCTION } from "../environments/names.js";
import { OperationError } from "../errors.js";
import { printBackups } from "./backups.js";
import { AgentClient } from "./client.js";
import { type AppOptions, withApp } from "./options.js";
import { Output } from "./output.js";
import { targetApp } from "./target-app.js";

interface BackupFlags extends AppOptions {
  env: string;
  db?: string;
}

/** `skiff backup`: back up the app's databases now (each verified before this returns). */
export function register(program: Command): void {
  withApp(
    program
      .command("backup")
      .description("back up the app's databases now; exits 1 unless every backup verified")
      .option("--env <name>", "the environment", PRODUCTION)
      .option("--db <name>", "only this database (name: in backups:)"),
  ).action(async (flags: BackupFlags) => {
    const out = new Output({ json: flags.json });
    const app = await targetApp(flags.app);
    const body = await AgentClient.from(flags).json<BackupNowResponse>("POST", `/v1/apps/${app}/backups`, {
      env: flags.env,
      ...(flags.db ? { db: flags.db } : {}),
    });
    out.result(body);
    printBackups(out, body.backups, app);
    const bad = body.backups.filter((b) => b.status !== "good");
    if (bad.length > 0)
      throw new OperationError(
        bad
          .map(
            (b) =>
              `${b.id} (${b.name}): ${b.status === "bad" ? `failed verification: ${b.verifyNote}` : `failed: ${b.error}`}`,
          )
          .join("\n"),
      );
  });
}
