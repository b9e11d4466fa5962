import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { configIssues, withSection } from "../config/test-support/config-issues.js";

describe("alerts config", () => {
  it("normalizes every channel and numbers repeated kinds", () => {
    const config = parseAppConfig(
      withSection(`
alerts:
  - slack: { webhook_url_env: SLACK_WEBHOOK_URL }
  - discord: { webhook_url_env: DISCORD_WEBHOOK_URL }
  - webhook: { url: "https://hooks.example.com/skiff", secret_env: ALERT_SECRET }
  - webhook: { url: "http://127.0.0.1:9000/in" }
  - email: { smtp_url_env: SMTP_URL, to: me@example.com }
  - email: { smtp_url_env: SMTP_URL, to: [a@example.com, b@example.com], from: skiff@example.com }
  - ntfy: { url: "https://ntfy.sh/my-topic" }
  - ntfy: { url: "https://ntfy.example.com/ops", token_env: NTFY_TOKEN }
`),
    );
    expect(config.alerts).toEqual([
      { kind: "slack", id: "slack", webhookUrlEnv: "SLACK_WEBHOOK_URL" },
      { kind: "discord", id: "discord", webhookUrlEnv: "DISCORD_WEBHOOK_URL" },
      { kind: "webhook", id: "webhook", url: "https://hooks.example.com/skiff", secretEnv: "ALERT_SECRET" },
      { kind: "webhook", id: "webhook-2", url: "http://127.0.0.1:9000/in", secretEnv: undefined },
      { kind: "email", id: "email", smtpUrlEnv: "SMTP_URL", to: ["me@example.com"], from: undefined },
      {
        kind: "email",
        id: "email-2",
        smtpUrlEnv: "SMTP_URL",
        to: ["a@example.com", "b@example.com"],
        from: "skiff@example.com",
      },
      { kind: "ntfy", id: "ntfy", url: "https://ntfy.sh/my-topic", tokenEnv: undefined },
      { kind: "ntfy", id: "ntfy-2", url: "https://ntfy.example.com/ops", tokenEnv: "NTFY_TOKEN" },
    ]);
  });

  it.each([
    ["alerts: slack\n", "alerts: expected a list of channels"],
    ["alerts: [{}]\n", "alerts.0: needs one channel: slack, discord, webhook, email, ntfy"],
    [
      "alerts: [{ slack: { webhook_url_env: A }, discord: { webhook_url_env: B } }]\n",
      "alerts.0: has slack and discord; write each channel as its own list entry",
    ],
    ["alerts: [{ slak: { webhook_url_env: A } }]\n", "alerts.0.slak: unknown key (did you mean slack?)"],
    ["alerts: [{ slack: {} }]\n", "alerts.0.slack.webhook_url_env: is required"],
    ["alerts: [{ slack: { webhook_url_env: A, channel: ops } }]\n", "alerts.0.slack.channel: unknown key"],
    ["alerts: [{ webhook: { secret_env: S } }]\n", "alerts.0.webhook.url: is required"],
    [
      "alerts: [{ webhook: { url: 'ftp://x/' } }]\n",
      "alerts.0.webhook.url: expected an http:// or https:// URL",
    ],
    [
      "alerts: [{ webhook: { url: 'http://x/', secretenv: S } }]\n",
      "alerts.0.webhook.secretenv: unknown key (did you mean secret_env?)",
    ],
    ["alerts: [{ email: { smtp_url_env: S } }]\n", "alerts.0.email.to: is required"],
    [
      "alerts: [{ email: { smtp_url_env: S, to: nobody } }]\n",
      "alerts.0.email.to: expected an email address",
    ],
    [
      "alerts: [{ email: { smtp_url_env: S, to: [] } }]\n",
      "alerts.0.email.to: expected at least one address",
    ],
    ["alerts: [{ ntfy: {} }]\n", "alerts.0.ntfy.url: is required"],
    [
      "alerts: [{ ntfy: { url: 'https://ntfy.sh/t', token_env: 'my token' } }]\n",
      "alerts.0.ntfy.token_env: expected the name of an environment variable",
    ],
  ])("%j → %s", (section, message) => {
    expect(configIssues(withSection(section)).join("\n")).toContain(message);
  });

  // A secret pasted into skiff.yml is refused by field name, and the value never appears in the message.
  const secret = ["s3cr3t", "value", String(process.pid)].join("-");
  it.each([
    [
      "slack",
      `{ webhook_url: "https://hooks.example.com/${secret}" }`,
      "alerts.0.slack.webhook_url",
      "webhook_url_env",
    ],
    [
      "discord",
      `{ webhook_url: "https://discord.example/${secret}" }`,
      "alerts.0.discord.webhook_url",
      "webhook_url_env",
    ],
    [
      "webhook",
      `{ url: "https://x.example/", secret: "${secret}" }`,
      "alerts.0.webhook.secret",
      "secret_env",
    ],
    [
      "email",
      `{ smtp_url: "smtp://u:${secret}@mail", to: a@example.com }`,
      "alerts.0.email.smtp_url",
      "smtp_url_env",
    ],
    ["ntfy", `{ url: "https://ntfy.sh/t", token: "${secret}" }`, "alerts.0.ntfy.token", "token_env"],
  ])("%s with a plain-text secret is an error naming the field", (kind, body, path, instead) => {
    const issues = configIssues(withSection(`alerts:\n  - ${kind}: ${body}\n`)).join("\n");
    expect(issues).toContain(`${path}: secrets must not be written in skiff.yml`);
    expect(issues).toContain(`name it with ${instead}`);
    expect(issues).not.toContain(secret);
  });

  it.each([
    ["slack: { webhook_url_env: 'https://hooks.example.com/SECRET' }", "alerts.0.slack.webhook_url_env"],
    [
      "webhook: { url: 'https://u:SECRET@x.example/' }",
      "alerts.0.webhook.url: must not contain a user or password",
    ],
    [
      "ntfy: { url: 'https://ntfy.sh/t?auth=SECRET' }",
      'alerts.0.ntfy.url: must not carry the credential parameter "auth"',
    ],
  ])("a secret where a name or URL belongs: %s", (entry, message) => {
    const secretText = `${secret}-x`;
    const issues = configIssues(withSection(`alerts:\n  - ${entry.replace("SECRET", secretText)}\n`)).join(
      "\n",
    );
    expect(issues).toContain(message);
    expect(issues).not.toContain(secretText);
  });
});
