import type { AlertMessage } from "../alerts/message.js";
import { redactUrlCredentials } from "../alerts/redact.js";
import { formatSpan } from "../config/duration.js";
import { PRODUCTION } from "../environments/names.js";

/**
 * What a backup alert says, through the app's channels like every other alert: which database, what
 * went wrong, and the command to run next. Backups that fail silently for weeks are the failure this
 * part exists to prevent, so a failure is alerted at once and a schedule that stopped is alerted too.
 */

interface Subject {
  app: string;
  env: string;
  /** The database's name: in skiff.yml. */
  name: string;
}

function where({ app, env, name }: Subject): string {
  return env === PRODUCTION ? `${app}: database "${name}"` : `${app} (${env}): database "${name}"`;
}

function envFlag(env: string): string {
  return env === PRODUCTION ? "" : ` --env ${env}`;
}

function alert(fields: Omit<AlertMessage, "at">, at: number): AlertMessage {
  return {
    ...fields,
    title: redactUrlCredentials(fields.title),
    details: fields.details.map(redactUrlCredentials),
    at: new Date(at).toISOString(),
  };
}

/** A backup could not be taken, or was taken but failed verification (`id` then names it). */
export function backupFailedMessage(
  input: Subject & { id: string; reason: string; verification: boolean; lastGoodAt: number | undefined },
  now: number,
): AlertMessage {
  const { app, env, name } = input;
  return alert(
    {
      kind: "backup-failed",
      severity: "critical",
      app,
      title: input.verification
        ? `${where(input)}: backup ${input.id} failed verification`
        : `${where(input)}: backup ${input.id} failed`,
      details: [
        `What broke: ${input.reason}`,
        input.lastGoodAt === undefined
          ? "There is no good backup of this database yet"
          : `Last good backup: ${formatSpan(now - input.lastGoodAt)} ago`,
        ...(input.verification ? [`${input.id} is marked bad: restore refuses it without --force`] : []),
      ],
      since: new Date(now).toISOString(),
      liveRelease: null,
      command: { label: "Try again now", text: `skiff backup --app ${app}${envFlag(env)} --db ${name}` },
    },
    now,
  );
}

/** No good backup newer than 1.5 periods of the schedule: the scheduler stopped, or every run fails. */
export function backupStaleMessage(
  input: Subject & { schedule: string; lastGoodAt: number | undefined },
  now: number,
): AlertMessage {
  const { app, env, name } = input;
  return alert(
    {
      kind: "backup-stale",
      severity: "warning",
      app,
      title: `${where(input)}: no recent backup`,
      details: [
        input.lastGoodAt === undefined
          ? `No good backup yet (schedule: ${input.schedule})`
          : `The newest good backup is ${formatSpan(now - input.lastGoodAt)} old (schedule: ${input.schedule})`,
        "Scheduled backups are not running or not succeeding: check `skiff backups` and the agent's log",
      ],
      since: input.lastGoodAt === undefined ? null : new Date(input.lastGoodAt).toISOString(),
      liveRelease: null,
      command: { label: "Take one now", text: `skiff backup --app ${app}${envFlag(env)} --db ${name}` },
    },
    now,
  );
}
