import { z } from "zod";
import { envName, httpUrl } from "../config/fields.js";

/**
 * `alerts:` in skiff.yml: a list of channels, one per entry (`- slack: {…}`). Every secret is
 * named by an environment variable (`*_env`); a secret written in the file is an error.
 */

export type AlertChannelSpec =
  | { kind: "slack"; id: string; webhookUrlEnv: string }
  | { kind: "discord"; id: string; webhookUrlEnv: string }
  | { kind: "webhook"; id: string; url: string; secretEnv: string | undefined }
  | { kind: "email"; id: string; smtpUrlEnv: string; to: string[]; from: string | undefined }
  | { kind: "ntfy"; id: string; url: string; tokenEnv: string | undefined };

export type AlertChannelKind = AlertChannelSpec["kind"];

export const CHANNEL_KINDS: AlertChannelKind[] = ["slack", "discord", "webhook", "email", "ntfy"];

export const ALERT_KNOWN_KEYS: Record<string, string[]> = {
  "alerts.*": CHANNEL_KINDS,
  "alerts.*.slack": ["webhook_url_env"],
  "alerts.*.discord": ["webhook_url_env"],
  "alerts.*.webhook": ["url", "secret_env"],
  "alerts.*.email": ["smtp_url_env", "to", "from"],
  "alerts.*.ntfy": ["url", "token_env"],
};

/**
 * Keys people write when they paste the secret itself, and the key that should name it instead.
 * Checked before the strict schema so the message says what to do rather than "unknown key".
 */
const PLAIN_SECRETS: Record<string, Record<string, string>> = {
  slack: { webhook_url: "webhook_url_env" },
  discord: { webhook_url: "webhook_url_env" },
  webhook: { secret: "secret_env" },
  email: { smtp_url: "smtp_url_env", password: "smtp_url_env" },
  ntfy: { token: "token_env", password: "token_env" },
};

function refusePlainSecrets(kind: AlertChannelKind) {
  return (value: unknown, ctx: z.core.$RefinementCtx): unknown => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const rest: Record<string, unknown> = { ...value };
    for (const [key, instead] of Object.entries(PLAIN_SECRETS[kind] ?? {})) {
      if (!(key in rest)) continue;
      delete rest[key];
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `secrets must not be written in skiff.yml (it is committed); put the value in an environment variable and name it with ${instead}`,
      });
    }
    return rest;
  };
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const email = z
  .string({ error: "expected an email address" })
  .regex(EMAIL, { error: "expected an email address" });

const channelSchemas = {
  slack: z.strictObject({ webhook_url_env: envName }),
  discord: z.strictObject({ webhook_url_env: envName }),
  webhook: z.strictObject({ url: httpUrl, secret_env: envName.optional() }),
  email: z.strictObject({
    smtp_url_env: envName,
    to: z.union([email, z.array(email).min(1, { error: "expected at least one address" })], {
      error: (issue) =>
        issue.input === undefined
          ? "is required: an email address or a list of them"
          : "expected an email address or a list of them",
    }),
    from: email.optional(),
  }),
  ntfy: z.strictObject({ url: httpUrl, token_env: envName.optional() }),
};

const channel = <K extends AlertChannelKind>(kind: K) =>
  z.preprocess(refusePlainSecrets(kind), channelSchemas[kind]).optional();

const alertEntry = z
  .strictObject(
    {
      slack: channel("slack"),
      discord: channel("discord"),
      webhook: channel("webhook"),
      email: channel("email"),
      ntfy: channel("ntfy"),
    },
    { error: `expected a channel like \`- slack: { webhook_url_env: NAME }\`` },
  )
  .superRefine((entry, ctx) => {
    const kinds = CHANNEL_KINDS.filter((k) => entry[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          kinds.length === 0
            ? `needs one channel: ${CHANNEL_KINDS.join(", ")}`
            : `has ${kinds.join(" and ")}; write each channel as its own list entry`,
      });
    }
  });

type AlertEntry = z.output<typeof alertEntry>;

export const alertsSchema = z
  .array(alertEntry, { error: "expected a list of channels (- slack: {…})" })
  .default([])
  .transform((entries) => {
    const seen = new Map<AlertChannelKind, number>();
    return entries.map((entry) => {
      const spec = specOf(entry);
      const n = (seen.get(spec.kind) ?? 0) + 1;
      seen.set(spec.kind, n);
      // The second webhook is "webhook-2": ids name channels in results without showing a URL.
      return n === 1 ? spec : { ...spec, id: `${spec.kind}-${n}` };
    });
  });

function specOf(entry: AlertEntry): AlertChannelSpec {
  if (entry.slack) return { kind: "slack", id: "slack", webhookUrlEnv: entry.slack.webhook_url_env };
  if (entry.discord) return { kind: "discord", id: "discord", webhookUrlEnv: entry.discord.webhook_url_env };
  if (entry.webhook) {
    return { kind: "webhook", id: "webhook", url: entry.webhook.url, secretEnv: entry.webhook.secret_env };
  }
  if (entry.email) {
    const to = Array.isArray(entry.email.to) ? entry.email.to : [entry.email.to];
    return { kind: "email", id: "email", smtpUrlEnv: entry.email.smtp_url_env, to, from: entry.email.from };
  }
  const ntfy = entry.ntfy!;
  return { kind: "ntfy", id: "ntfy", url: ntfy.url, tokenEnv: ntfy.token_env };
}
