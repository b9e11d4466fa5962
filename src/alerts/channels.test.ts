import { createHmac } from "node:crypto";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import type { AlertChannel } from "./channel.js";
import { resolveChannels } from "./channels.js";
import type { AlertChannelSpec } from "./config.js";
import { incidentMessage, testMessage } from "./message.js";
import { ntfyHeaders } from "./ntfy.js";
import { type Receiver, startReceiver, startSmtp } from "./test-support/receivers.js";

// Fake secrets are made at run time so that none is ever committed.
const fakeSecret = (label: string) => `${label}-${process.pid}-${Math.random().toString(36).slice(2)}`;

const message = incidentMessage(
  {
    monitorId: "hello/home",
    app: "hello",
    monitor: "home",
    kind: "http",
    target: "https://hello.example.com/",
    event: {
      type: "opened",
      incident: {
        startedAt: "2025-03-01T12:00:00.000Z",
        openedAt: "2025-03-01T12:02:00.000Z",
        cause: "status 502 (expected 200)",
      },
    },
    monitorRemoved: false,
  },
  { id: "r42", version: "1.4.0" },
);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

function only(specs: AlertChannelSpec[], env: Record<string, string>): AlertChannel {
  const { channels, problems } = resolveChannels(specs, (name) => env[name]);
  expect(problems).toEqual([]);
  expect(channels).toHaveLength(1);
  cleanups.push(async () => channels[0]!.close?.());
  return channels[0]!;
}

const send = (channel: AlertChannel) => channel.send(message, new AbortController().signal);

describe("alert channels, against real receivers", () => {
  it("slack: posts text and blocks to the webhook from the environment", async () => {
    const r = await receiver();
    const path = `/services/${fakeSecret("slack")}`;
    await send(
      only([{ kind: "slack", id: "slack", webhookUrlEnv: "SLACK_URL" }], { SLACK_URL: r.url + path }),
    );
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.path).toBe(path);
    expect(r.received[0]!.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(r.received[0]!.body);
    expect(body.text).toBe(':rotating_light: hello: monitor "home" is down');
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: 'hello: monitor "home" is down', emoji: true },
    });
    expect(body.blocks[1].text.text).toBe(
      [
        "Checked: https://hello.example.com/",
        "What broke: status 502 (expected 200)",
        "*Since:* 2025-03-01 12:00:00Z",
        "*Live release:* r42 (1.4.0)",
        "*Fix (switch back to the previous release):* `skiff rollback --app hello`",
      ].join("\n"),
    );
  });

  it("discord: posts an embed with the facts as fields and no mentions", async () => {
    const r = await receiver();
    await send(
      only([{ kind: "discord", id: "discord", webhookUrlEnv: "D" }], { D: `${r.url}/api/webhooks/1/x` }),
    );
    const body = JSON.parse(r.received[0]!.body);
    expect(body.content).toBe('hello: monitor "home" is down');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds[0]).toMatchObject({
      title: 'hello: monitor "home" is down',
      description: "Checked: https://hello.example.com/\nWhat broke: status 502 (expected 200)",
      color: 0xd93025,
      timestamp: "2025-03-01T12:02:00.000Z",
      fields: [
        { name: "Since", value: "2025-03-01T12:00:00.000Z", inline: true },
        { name: "Live release", value: "r42 (1.4.0)", inline: true },
        { name: "Fix (switch back to the previous release)", value: "`skiff rollback --app hello`" },
      ],
    });
  });

  it("webhook: posts the message as JSON, signed with HMAC-SHA256 of the exact body", async () => {
    const r = await receiver();
    const secret = fakeSecret("hmac");
    await send(
      only([{ kind: "webhook", id: "webhook", url: `${r.url}/hook`, secretEnv: "SECRET" }], {
        SECRET: secret,
      }),
    );
    const { body, headers } = r.received[0]!;
    const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    expect(headers["x-skiff-signature"]).toBe(expected);
    expect(headers["x-skiff-event"]).toBe("incident-opened");
    const json = JSON.parse(body);
    expect(json).toMatchObject({
      version: 1,
      kind: "incident-opened",
      app: "hello",
      since: "2025-03-01T12:00:00.000Z",
      liveRelease: "r42 (1.4.0)",
      command: { text: "skiff rollback --app hello" },
    });
    expect(json.text).toContain("Fix (switch back to the previous release): skiff rollback --app hello");
    expect(body).not.toContain(secret);
  });

  it("webhook: without secret_env the body goes unsigned", async () => {
    const r = await receiver();
    await send(only([{ kind: "webhook", id: "webhook", url: `${r.url}/hook`, secretEnv: undefined }], {}));
    expect(r.received[0]!.headers["x-skiff-signature"]).toBeUndefined();
  });

  it("ntfy: posts the lines with title, priority, tags and the token from the environment", async () => {
    const r = await receiver();
    const token = fakeSecret("tk");
    await send(
      only([{ kind: "ntfy", id: "ntfy", url: `${r.url}/my-topic`, tokenEnv: "NTFY" }], { NTFY: token }),
    );
    const { path, headers, body } = r.received[0]!;
    expect(path).toBe("/my-topic");
    expect(headers).toMatchObject({
      title: 'hello: monitor "home" is down',
      priority: "urgent",
      tags: "rotating_light,skiff,incident-opened",
      authorization: `Bearer ${token}`,
    });
    expect(body.split("\n")).toEqual([
      "Checked: https://hello.example.com/",
      "What broke: status 502 (expected 200)",
      "Since: 2025-03-01 12:00:00Z",
      "Live release: r42 (1.4.0)",
      "Fix (switch back to the previous release): skiff rollback --app hello",
    ]);
  });

  it("ntfy: a title that is not ASCII travels as an RFC 2047 encoded word", () => {
    const { title } = ntfyHeaders({ ...testMessage("hello", null), title: "hello: café is down" });
    expect(title).toBe(`=?UTF-8?B?${Buffer.from("hello: café is down").toString("base64")}?=`);
    expect(ntfyHeaders(testMessage("hello", null)).title).toBe("hello: test alert from skiff");
  });

  it("email: sends through a real SMTP server with the credentials from the URL", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const password = fakeSecret("pw");
    const channel = only(
      [
        {
          kind: "email",
          id: "email",
          smtpUrlEnv: "SMTP",
          to: ["me@example.com", "ops@example.com"],
          from: "skiff@example.com",
        },
      ],
      { SMTP: `smtp://alerts:${password}@127.0.0.1:${smtp.port}` },
    );
    await send(channel);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail).toMatchObject({
      from: "skiff@example.com",
      to: ["me@example.com", "ops@example.com"],
      user: "alerts",
    });
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toBe('[skiff] hello: monitor "home" is down');
    const text = parsed.text ?? "";
    expect(text).toContain("What broke: status 502 (expected 200)");
    expect(text).toContain("Fix (switch back to the previous release): skiff rollback --app hello");
    expect(mail.raw).not.toContain(password);
    expect(channel.secrets).toContain(password);
  });
});

describe("resolveChannels", () => {
  it("names the field and variable of every channel that cannot work, never a value", () => {
    const value = fakeSecret("not-a-url");
    const { channels, problems } = resolveChannels(
      [
        { kind: "slack", id: "slack", webhookUrlEnv: "MISSING" },
        { kind: "discord", id: "discord", webhookUrlEnv: "WRONG" },
        { kind: "webhook", id: "webhook", url: "http://127.0.0.1:9/", secretEnv: "NOPE" },
        { kind: "email", id: "email", smtpUrlEnv: "WRONG", to: ["a@example.com"], from: undefined },
        { kind: "ntfy", id: "ntfy", url: "http://127.0.0.1:9/t", tokenEnv: undefined },
      ],
      (name) => (name === "WRONG" ? value : undefined),
    );
    expect(problems).toEqual([
      "alerts.slack.webhook_url_env: MISSING is not set in the agent's secret store or environment (skiff secrets set MISSING)",
      "alerts.discord.webhook_url_env: WRONG does not hold a http URL",
      "alerts.webhook.secret_env: NOPE is not set in the agent's secret store or environment (skiff secrets set NOPE)",
      "alerts.email.smtp_url_env: WRONG does not hold a smtp URL",
    ]);
    expect(problems.join("\n")).not.toContain(value);
    expect(channels.map((c) => c.id)).toEqual(["ntfy"]);
  });
});
