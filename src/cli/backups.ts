import type { Command } from "commander";
import type { BackupsResponse, BackupView } from "../backups/api-types.js";
import { formatSpan } from "../config/duration.js";
import { AgentClient } from "./client.js";
import { type AppOptions, withApp, withJson } from "./options.js";
import { formatBytes, Output } from "./output.js";
import { targetApp } from "./target-app.js";

interface ListFlags extends AppOptions {
  env?: string;
  db?: string;
  all?: boolean;
}

/**
 * `skiff backups`: the app's database backups, newest first (`verify ID` checks one again, `keygen`
 * makes an encryption key). Without --app and without a skiff.yml here, every app's.
 */
export function register(program: Command): void {
  const backups = withApp(
    program
      .command("backups")
      .description("database backups: id, database, age, size, where, verified (newest first)")
      .option("--env <name>", "only this environment")
      .option("--db <name>", "only this database (name: in backups:)")
      .option("--all", "also backups whose copies were pruned"),
  ).action(async (flags: ListFlags) => {
    const out = new Output({ json: flags.json });
    const app = flags.app ?? (await targetApp(undefined).catch(() => undefined));
    const query = new URLSearchParams({
      ...(app ? { app } : {}),
      ...(flags.env ? { env: flags.env } : {}),
      ...(flags.db ? { db: flags.db } : {}),
      ...(flags.all ? { all: "1" } : {}),
    });
    const body = await AgentClient.from(flags).json<BackupsResponse>("GET", `/v1/backups?${query}`);
    out.result(body);
    printBackups(out, body.backups, app);
  });

  withApp(
    backups
      .command("verify")
      .description("restore a stored backup into scratch space and check it again")
      .argument("<BACKUP_ID>", "like b12"),
  ).action(async (id: string, flags: AppOptions) => {
    const out = new Output({ json: flags.json });
    const app = await targetApp(flags.app);
    const body = await AgentClient.from(flags).json<{ backup: BackupView }>(
      "POST",
      `/v1/apps/${app}/backups/${encodeURIComponent(id)}/verify`,
    );
    out.result(body);
    const { backup } = body;
    out.line(
      `${backup.id}: ${backup.verified ? out.paint("green", "verified") : out.paint("red", "BAD")}: ${backup.verifyNote}`,
    );
  });

  withJson(
    backups
      .command("keygen")
      .description(
        "print a new age secret key for `encryption: { key_secret: NAME }`: skiff backups keygen | skiff secrets set NAME",
      ),
  ).action(async (flags: { json?: boolean }) => {
    const { generateIdentity, identityToRecipient } = await import("age-encryption");
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const out = new Output({ json: flags.json });
    out.result({ identity, recipient });
    if (!flags.json) process.stdout.write(`${identity}\n`);
    process.stderr.write(
      `public key: ${recipient}\nKeep a copy of the secret key somewhere other than the server: without it, encrypted backups cannot be restored.\n`,
    );
  });
}

export function printBackups(out: Output, backups: BackupView[], app: string | undefined): void {
  if (backups.length === 0) {
    out.line(`no backups${app ? ` of ${app}` : ""} yet: add backups: to skiff.yml, or run \`skiff backup\``);
    return;
  }
  const now = Date.now();
  out.table(
    [
      ...(app ? [] : ["APP"]),
      "ID",
      "DATABASE",
      "ENV",
      "TAKEN",
      "AGE",
      "SIZE",
      "TRIGGER",
      "WHERE",
      "VERIFIED",
    ],
    backups.map((b) => [
      ...(app ? [] : [b.app]),
      b.id,
      b.name,
      b.env,
      b.createdAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
      formatSpan(now - Date.parse(b.createdAt)),
      b.bytes === null ? "-" : formatBytes(b.bytes),
      b.release ? `${b.trigger} ${b.release}` : b.trigger,
      where(b),
      verified(out, b),
    ]),
  );
}

function where(b: BackupView): string {
  if (b.locations.length === 0) return b.status === "failed" ? "-" : "pruned";
  return b.locations
    .map((l) => (l.startsWith("s3://") ? l.split("/").slice(0, 3).join("/") : "local"))
    .join(", ");
}

function verified(out: Output, b: BackupView): string {
  if (b.status === "good") return out.paint("green", `yes${b.encrypted ? " (encrypted)" : ""}`);
  if (b.status === "running") return out.paint("dim", "running");
  const text = b.status === "bad" ? `BAD: ${b.verifyNote}` : `failed: ${b.error}`;
  return out.paint("red", text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
