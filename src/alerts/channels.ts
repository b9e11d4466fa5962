import { type SecretLookup, secretNotSet } from "../secrets/secret-store.js";
import type { AlertChannel } from "./channel.js";
import type { AlertChannelSpec } from "./config.js";
import { discordChannel } from "./discord.js";
import { emailChannel } from "./email.js";
import { ntfyChannel } from "./ntfy.js";
import { slackChannel } from "./slack.js";
import { webhookChannel } from "./webhook.js";

export type { SecretLookup } from "../secrets/secret-store.js";

export interface ResolvedChannels {
  channels: AlertChannel[];
  /** Channels that cannot work, each naming the field and variable; the values are never shown. */
  problems: string[];
}

const SCHEMES = { http: /^https?:\/\//, smtp: /^smtps?:\/\// };
type Scheme = keyof typeof SCHEMES;

/** Reads one secret; undefined (and a problem noted) when it is missing or of the wrong shape. */
type Read = (field: string, name: string, scheme?: Scheme) => string | undefined;

/** Turns the `alerts:` specs into channels, reading each secret through `lookup`. */
export function resolveChannels(specs: AlertChannelSpec[], lookup: SecretLookup): ResolvedChannels {
  const problems: string[] = [];
  const channels = specs.flatMap((spec) => {
    const read: Read = (field, name, scheme) => {
      const value = lookup(name);
      const where = `alerts.${spec.id}.${field}`;
      if (!value) problems.push(secretNotSet(where, name));
      else if (scheme && !SCHEMES[scheme].test(value))
        problems.push(`${where}: ${name} does not hold a ${scheme} URL`);
      else return value;
      return undefined;
    };
    const channel = build(spec, read);
    return channel ? [channel] : [];
  });
  return { channels, problems };
}

function build(spec: AlertChannelSpec, read: Read): AlertChannel | undefined {
  switch (spec.kind) {
    case "slack": {
      const url = read("webhook_url_env", spec.webhookUrlEnv, "http");
      return url ? slackChannel(spec.id, url) : undefined;
    }
    case "discord": {
      const url = read("webhook_url_env", spec.webhookUrlEnv, "http");
      return url ? discordChannel(spec.id, url) : undefined;
    }
    case "webhook": {
      if (spec.secretEnv === undefined) return webhookChannel(spec.id, spec.url, undefined);
      const secret = read("secret_env", spec.secretEnv);
      return secret ? webhookChannel(spec.id, spec.url, secret) : undefined;
    }
    case "email": {
      const url = read("smtp_url_env", spec.smtpUrlEnv, "smtp");
      return url ? emailChannel(spec.id, url, spec.to, spec.from) : undefined;
    }
    case "ntfy": {
      if (spec.tokenEnv === undefined) return ntfyChannel(spec.id, spec.url, undefined);
      const token = read("token_env", spec.tokenEnv);
      return token ? ntfyChannel(spec.id, spec.url, token) : undefined;
    }
  }
}
