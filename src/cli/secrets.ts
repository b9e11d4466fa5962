import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { AgentClient } from "./client.js";
import { type AgentOptions, withAgent } from "./options.js";
import { Output } from "./output.js";

/**
 * `skiff secrets set|list|unset`: the agent's secret store, for the `*_env` names in skiff.yml (alert
 * channels, the webhook secret). Values go to the agent and never come back: `list` shows names only.
 */
export function register(program: Command): void {
  const secrets = program
    .command("secrets")
    .description("secrets the agent keeps for skiff.yml's *_env names (alert channels, webhook secret)");

  withAgent(
    secrets
      .command("set")
      .description(
        "set NAME, typing the value unseen (or piping it); NAME=VALUE also works but stays in shell history",
      )
      .argument("<NAME[=VALUE]>", "the variable name skiff.yml refers to, e.g. SLACK_WEBHOOK_URL"),
  ).action(async (assignment: string, flags: AgentOptions) => {
    const out = new Output({ json: flags.json });
    const { name, value } = await parseAssignment(assignment);
    const body = await AgentClient.from(flags).json<{ name: string }>(
      "PUT",
      `/v1/secrets/${encodeURIComponent(name)}`,
      { value },
    );
    out.result(body);
    out.line(`${name} is set on the agent`);
  });

  withAgent(secrets.command("list").description("the names of the secrets the agent keeps")).action(
    async (flags: AgentOptions) => {
      const out = new Output({ json: flags.json });
      const body = await AgentClient.from(flags).json<{ secrets: Array<{ name: string }> }>(
        "GET",
        "/v1/secrets",
      );
      out.result(body);
      if (body.secrets.length === 0) out.line("no secrets yet: skiff secrets set NAME=VALUE");
      for (const secret of body.secrets) out.line(secret.name);
    },
  );

  withAgent(
    secrets.command("unset").description("remove a secret from the agent").argument("<NAME>", "the name"),
  ).action(async (name: string, flags: AgentOptions) => {
    const out = new Output({ json: flags.json });
    const body = await AgentClient.from(flags).json<{ name: string; removed: boolean }>(
      "DELETE",
      `/v1/secrets/${encodeURIComponent(name)}`,
    );
    out.result(body);
    out.line(body.removed ? `${name} is removed` : `${name} was not set`);
  });
}

async function parseAssignment(assignment: string): Promise<{ name: string; value: string }> {
  const equals = assignment.indexOf("=");
  if (equals >= 0) return { name: assignment.slice(0, equals), value: assignment.slice(equals + 1) };
  if (process.stdin.isTTY) return { name: assignment, value: await promptHidden(`${assignment} (hidden): `) };
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // A trailing newline from `echo` is not part of the secret.
  return {
    name: assignment,
    value: Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, ""),
  };
}

/** Reads one line from the terminal without echoing it: the value never shows on screen or in history. */
async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  let value = "";
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (chunk: string) => {
        const typed = applyKeys(value, chunk);
        value = typed.value;
        if (!typed.end) return;
        stdin.off("data", onData);
        if (typed.end === "cancel") reject(new UsageError("cancelled: nothing was set"));
        else resolve(value);
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write("\n");
  }
}

/** CSI sequences such as the arrow keys' (ESC [ D). */
const ESCAPE_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z~]`, "g");

/**
 * Pure: what typing `keys` does to `value` at a hidden prompt. Enter or Ctrl-D ends it, Ctrl-C cancels,
 * Backspace deletes; escape sequences (arrow keys) and other control characters are not part of a value.
 */
export function applyKeys(value: string, keys: string): { value: string; end?: "enter" | "cancel" } {
  let typed = value;
  for (const ch of keys.replace(ESCAPE_SEQUENCE, "")) {
    if (ch === "\r" || ch === "\n" || ch === "\u0004") return { value: typed, end: "enter" };
    if (ch === "\u0003") return { value: typed, end: "cancel" };
    if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
    else if (ch >= " ") typed += ch;
  }
  return { value: typed };
}
