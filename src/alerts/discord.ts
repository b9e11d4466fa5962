import type { AlertChannel } from "./channel.js";
import { post } from "./http-post.js";
import type { AlertMessage } from "./message.js";

/** Discord webhook: one embed with the facts as fields; mentions are switched off. */
export function discordChannel(id: string, webhookUrl: string): AlertChannel {
  return {
    id,
    kind: "discord",
    secrets: [webhookUrl],
    send: (message, signal) =>
      post(webhookUrl, JSON.stringify(discordBody(message)), { "content-type": "application/json" }, signal),
  };
}

const COLORS = { critical: 0xd93025, warning: 0xf9ab00, resolved: 0x188038, info: 0x1a73e8 };

export function discordBody(m: AlertMessage) {
  return {
    username: "skiff",
    content: m.title.slice(0, 2000),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: m.title.slice(0, 256),
        description: m.details.join("\n").slice(0, 4096),
        color: COLORS[m.severity],
        timestamp: m.at,
        fields: [
          ...(m.since ? [{ name: "Since", value: m.since, inline: true }] : []),
          { name: "Live release", value: m.liveRelease ?? "none", inline: true },
          { name: m.command.label.slice(0, 256), value: `\`${m.command.text}\`` },
        ],
      },
    ],
  };
}
