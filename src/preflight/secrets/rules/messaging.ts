import { ALNUM, ALNUM_LOWER, ALNUM_UPPER, BASE64URL, DIGITS, HEX } from "../charsets.js";
import { keyed } from "../keyed-rule.js";
import { chars, lit, type SecretRule } from "../rule.js";
import { token } from "../token-rule.js";
import { UUID } from "./shapes.js";

/** A UUID's shape in letters and digits: how webhook URLs are written in examples and docs. */
const LOOSE_UUID = [8, 4, 4, 4, 12].flatMap((n, i) =>
  i === 0 ? [chars(ALNUM, n)] : [lit("-"), chars(ALNUM, n)],
);

/** Chat, email, SMS and webhooks. */
export const messagingRules: SecretRule[] = [
  token("slack-bot-token", "Slack bot token", [
    lit("xoxb-"),
    chars(DIGITS, 10, 13),
    lit("-"),
    chars(DIGITS, 10, 13),
    lit("-"),
    chars(ALNUM, 24, 34),
  ]),
  token("slack-user-token", "Slack user token", [
    lit("xoxp-", "xoxe-"),
    chars(DIGITS, 10, 13),
    lit("-"),
    chars(DIGITS, 10, 13),
    lit("-"),
    chars(DIGITS, 10, 13),
    lit("-"),
    chars(ALNUM, 28, 34),
  ]),
  token("slack-legacy-bot-token", "Slack legacy bot token", [
    lit("xoxb-"),
    chars(DIGITS, 8, 14),
    lit("-"),
    chars(ALNUM, 18, 26),
  ]),
  token("slack-app-token", "Slack app-level token", [
    lit("xapp-1-"),
    chars(ALNUM_UPPER, 9, 11),
    lit("-"),
    chars(DIGITS, 13),
    lit("-"),
    chars(ALNUM, 64, 100),
  ]),
  token("slack-config-access-token", "Slack configuration access token", [
    lit("xoxe.xoxp-1-", "xoxe.xoxb-1-"),
    chars(ALNUM, 163, 166),
  ]),
  token("slack-config-refresh-token", "Slack configuration refresh token", [
    lit("xoxe-1-"),
    chars(ALNUM, 146),
  ]),
  token("slack-legacy-workspace-token", "Slack legacy workspace token", [
    lit("xoxa-2-", "xoxr-"),
    chars({ cls: "A-Za-z0-9\\-", chars: `${ALNUM.chars}-` }, 24, 80),
  ]),
  token("slack-legacy-token", "Slack legacy token", [
    lit("xoxs-", "xoxo-"),
    chars(DIGITS, 10, 13),
    lit("-"),
    chars(DIGITS, 10, 13),
    lit("-"),
    chars(DIGITS, 10, 13),
    lit("-"),
    chars(HEX, 64),
  ]),
  token(
    "slack-webhook-url",
    "Slack incoming webhook URL",
    [
      lit("https://hooks.slack.com/services/T"),
      chars(ALNUM_UPPER, 8, 10),
      lit("/B"),
      chars(ALNUM_UPPER, 8, 10),
      lit("/"),
      chars(ALNUM, 24),
    ],
    { keywords: ["hooks.slack.com/services/"], secretFrom: 5 },
  ),
  token(
    "slack-workflow-webhook-url",
    "Slack workflow webhook URL",
    [
      lit("https://hooks.slack.com/workflows/T", "https://hooks.slack.com/triggers/T"),
      chars(ALNUM_UPPER, 8, 10),
      lit("/"),
      chars(ALNUM_UPPER, 9, 11),
      lit("/"),
      chars(DIGITS, 6, 20),
      lit("/"),
      chars(ALNUM, 24, 32),
    ],
    { keywords: ["hooks.slack.com/workflows/", "hooks.slack.com/triggers/"], secretFrom: 7 },
  ),
  token(
    "discord-webhook-url",
    "Discord webhook URL",
    [
      lit(
        "https://discord.com/api/webhooks/",
        "https://discordapp.com/api/webhooks/",
        "https://ptb.discord.com/api/webhooks/",
        "https://canary.discord.com/api/webhooks/",
      ),
      chars(DIGITS, 17, 20),
      lit("/"),
      chars(BASE64URL, 60, 80),
    ],
    { keywords: ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"], secretFrom: 3 },
  ),
  keyed("discord-bot-token", "Discord bot token", {
    keywords: ["discord"],
    key: "discord_bot_token",
    value: [
      lit("M", "N", "O"),
      chars(ALNUM, 23, 25),
      lit("."),
      chars(BASE64URL, 6),
      lit("."),
      chars(BASE64URL, 27, 38),
    ],
  }),
  keyed("discord-api-token", "Discord API token", {
    keywords: ["discord"],
    key: "discord_api_token",
    value: [chars(HEX, 64)],
  }),
  // All digits, and still a credential behind Discord's name: gitleaks reports these too.
  keyed("discord-client-id", "Discord client ID", {
    keywords: ["discord"],
    // A server's, channel's or user's id is public: it is in every invite link.
    nameMustNot: ["server", "guild", "channel", "user", "invite", "role", "message"],
    key: "discord_client_id",
    value: [chars(DIGITS, 17, 20)],
    minEntropy: 2,
  }),
  keyed("discord-client-secret", "Discord OAuth client secret", {
    keywords: ["discord"],
    key: "discord_client_secret",
    value: [chars({ cls: "A-Za-z0-9=_\\-", chars: `${ALNUM.chars}=_-` }, 32)],
    minEntropy: 2,
  }),
  keyed("telegram-bot-token", "Telegram bot token", {
    keywords: ["telegram", "tg_bot", "tg-bot", "bot_token", "bottoken"],
    key: "telegram_bot_token",
    // The bot's id, then 35 characters starting with `A` (`123456:ABC-DEF1234ghIkl-…` in Telegram's docs).
    value: [chars(DIGITS, 5, 16), lit(":A"), chars(BASE64URL, 34)],
  }),
  token(
    "teams-webhook-url",
    "Microsoft Teams incoming webhook URL",
    [
      lit("https://"),
      chars(ALNUM_LOWER, 3, 30),
      lit(".webhook.office.com/webhookb2/"),
      ...LOOSE_UUID,
      lit("@"),
      ...LOOSE_UUID,
      lit("/IncomingWebhook/"),
      chars(ALNUM, 32),
      lit("/"),
      ...LOOSE_UUID,
    ],
    { keywords: ["webhook.office.com/webhookb2/"], secretFrom: 23 },
  ),
  token(
    "zapier-webhook-url",
    "Zapier webhook URL",
    [lit("https://hooks.zapier.com/hooks/catch/"), chars(DIGITS, 5, 9), lit("/"), chars(ALNUM_LOWER, 6, 7)],
    { keywords: ["hooks.zapier.com/hooks/catch/"], secretFrom: 3, minEntropy: 2 },
  ),
  // Recognisable on its own (SK + 32 hex, upper-case prefix), with or without "twilio" nearby.
  token("twilio-api-key", "Twilio API key", [lit("SK"), chars(HEX, 32)]),
  keyed("twilio-auth-token", "Twilio auth token", {
    keywords: ["twilio"],
    nameMust: ["token", "secret"],
    key: "twilio_auth_token",
    value: [chars(HEX, 32)],
  }),
  token("sendgrid-api-key", "SendGrid API key", [
    lit("SG."),
    chars(BASE64URL, 22),
    lit("."),
    chars(BASE64URL, 43),
  ]),
  token("mailgun-private-key", "Mailgun private API key", [lit("key-"), chars(HEX, 32)]),
  token("mailgun-public-key", "Mailgun public validation key", [lit("pubkey-"), chars(HEX, 32)]),
  keyed("mailgun-signing-key", "Mailgun webhook signing key", {
    keywords: ["mailgun"],
    nameMust: ["key", "secret"],
    key: "mailgun_signing_key",
    value: [chars(HEX, 32), lit("-"), chars(HEX, 8), lit("-"), chars(HEX, 8)],
  }),
  keyed("mailchimp-api-key", "Mailchimp API key", {
    keywords: ["mailchimp"],
    key: "mailchimp_api_key",
    value: [chars(HEX, 32), lit("-us"), chars(DIGITS, 1, 2)],
  }),
  keyed("mandrill-api-key", "Mandrill API key", {
    keywords: ["mandrill"],
    key: "mandrill_api_key",
    value: [chars(BASE64URL, 22)],
  }),
  keyed("postmark-server-token", "Postmark server token", {
    keywords: ["postmark"],
    nameMust: ["token", "key"],
    key: "postmark_server_token",
    value: UUID,
  }),
  token("brevo-api-key", "Brevo (Sendinblue) API key", [
    lit("xkeysib-"),
    chars(HEX, 64),
    lit("-"),
    chars(ALNUM, 16),
  ]),
  token("brevo-smtp-key", "Brevo (Sendinblue) SMTP key", [
    lit("xsmtpsib-"),
    chars(HEX, 64),
    lit("-"),
    chars(ALNUM, 16),
  ]),
  token("resend-api-key", "Resend API key", [lit("re_"), chars(ALNUM, 8), lit("_"), chars(ALNUM, 24)]),
  keyed("mailjet-api-secret", "Mailjet API secret", {
    keywords: ["mailjet", "mj_apikey", "mj_api"],
    nameMust: ["secret", "key"],
    key: "mailjet_api_secret",
    value: [chars(HEX, 32)],
  }),
  keyed("sparkpost-api-key", "SparkPost API key", {
    keywords: ["sparkpost"],
    key: "sparkpost_api_key",
    value: [chars(HEX, 40)],
  }),
  keyed("messagebird-api-key", "MessageBird API key", {
    keywords: ["messagebird", "message_bird", "message-bird"],
    key: "messagebird_api_key",
    value: [chars(ALNUM, 25)],
  }),
  keyed("messagebird-client-id", "MessageBird client ID", {
    keywords: ["messagebird", "message_bird", "message-bird"],
    key: "messagebird_client_id",
    value: UUID,
  }),
  keyed("vonage-api-secret", "Vonage (Nexmo) API secret", {
    keywords: ["vonage", "nexmo"],
    nameMust: ["secret"],
    key: "vonage_api_secret",
    value: [chars(ALNUM, 16)],
  }),
  keyed("plivo-auth-token", "Plivo auth token", {
    keywords: ["plivo"],
    nameMust: ["token"],
    key: "plivo_auth_token",
    value: [chars(ALNUM, 40)],
  }),
  keyed("pusher-secret", "Pusher app secret", {
    keywords: ["pusher"],
    nameMust: ["secret"],
    key: "pusher_app_secret",
    value: [chars(HEX, 20)],
  }),
  keyed("ably-api-key", "Ably API key", {
    keywords: ["ably_api", "ably_key"],
    key: "ably_api_key",
    value: [chars(ALNUM, 6), lit("."), chars(ALNUM, 6), lit(":"), chars(BASE64URL, 43)],
  }),
  keyed("sendbird-api-token", "Sendbird API token", {
    keywords: ["sendbird"],
    nameMust: ["token", "key"],
    key: "sendbird_api_token",
    value: [chars(HEX, 40)],
  }),
  keyed("mattermost-access-token", "Mattermost access token", {
    keywords: ["mattermost"],
    nameMust: ["token"],
    key: "mattermost_token",
    value: [chars(ALNUM_LOWER, 26)],
  }),
  keyed("gitter-access-token", "Gitter access token", {
    keywords: ["gitter"],
    nameMust: ["token"],
    key: "gitter_token",
    value: [chars(HEX, 40)],
  }),
  keyed("intercom-access-token", "Intercom access token", {
    keywords: ["intercom"],
    nameMust: ["token", "key"],
    key: "intercom_access_token",
    value: [chars(BASE64URL, 59, 60)],
  }),
  keyed("zendesk-api-token", "Zendesk API token", {
    keywords: ["zendesk"],
    nameMust: ["token", "key"],
    key: "zendesk_api_token",
    value: [chars(ALNUM, 40)],
  }),
  keyed("freshdesk-api-key", "Freshdesk API key", {
    keywords: ["freshdesk"],
    key: "freshdesk_api_key",
    value: [chars(ALNUM, 20)],
  }),
  token("hubspot-private-app-token", "HubSpot private app token", [lit("pat-na1-", "pat-eu1-"), ...UUID]),
  keyed("hubspot-api-key", "HubSpot API key (legacy)", {
    keywords: ["hubspot", "hapikey"],
    key: "hubspot_api_key",
    value: UUID,
  }),
];
