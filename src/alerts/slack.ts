import type { AlertChannel } from "./channel.js";
import { post } from "./http-post.js";
import { type AlertMessage, formatInstant } from "./message.js";

/** Slack incoming webhook: a header, the facts in mrkdwn, the command in a code span. */
export function slackChannel(id: string, webhookUrl: string): AlertChannel {
  return {
    id,
    kind: "slack",
    secrets: [webhookUrl],
    send: (message, signal) =>
      post(webhookUrl, JSON.stringify(slackBody(message)), { "content-type": "application/json" }, signal),
  };
}

const ICONS = {
  critical: ":rotating_light:",
  warning: ":warning:",
  resolved: ":white_check_mark:",
  info: ":information_source:",
};

export function slackBody(m: AlertMessage) {
  const facts = [
    ...m.details.map(escapeMrkdwn),
    ...(m.since ? [`*Since:* ${formatInstant(m.since)}`] : []),
    `*Live release:* ${escapeMrkdwn(m.liveRelease ?? "none")}`,
    `*${escapeMrkdwn(m.command.label)}:* \`${escapeMrkdwn(m.command.text)}\``,
  ];
  return {
    text: `${ICONS[m.severity]} ${escapeMrkdwn(m.title)}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: m.title.slice(0, 150), emoji: true } },
      { type: "section", text: { type: "mrkdwn", text: facts.join("\n").slice(0, 3000) } },
      { type: "context", elements: [{ type: "mrkdwn", text: `skiff · ${m.kind} · ${formatInstant(m.at)}` }] },
    ],
  };
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
