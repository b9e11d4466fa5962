import type { AlertChannel } from "./channel.js";
import { post } from "./http-post.js";
import { type AlertMessage, messageLines } from "./message.js";

/** ntfy: the lines as the body; title, priority and tags as headers. */
export function ntfyChannel(id: string, url: string, token: string | undefined): AlertChannel {
  return {
    id,
    kind: "ntfy",
    secrets: token ? [token] : [],
    send: (message, signal) => {
      const headers = ntfyHeaders(message);
      if (token) headers.authorization = `Bearer ${token}`;
      return post(url, messageLines(message).join("\n"), headers, signal);
    },
  };
}

const PRIORITY = { critical: "urgent", warning: "high", resolved: "default", info: "low" };
const TAGS = {
  critical: "rotating_light",
  warning: "warning",
  resolved: "white_check_mark",
  info: "information_source",
};

export function ntfyHeaders(m: AlertMessage): Record<string, string> {
  return {
    "content-type": "text/plain; charset=utf-8",
    title: encodeHeader(m.title),
    priority: PRIORITY[m.severity],
    tags: `${TAGS[m.severity]},skiff,${m.kind}`,
  };
}

/** HTTP headers are Latin-1; ntfy decodes RFC 2047 words, so non-ASCII titles travel encoded. */
function encodeHeader(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString("base64")}?=`;
}
