import type { Command } from "commander";
import { DURATION_HINT, parseDuration } from "../config/duration.js";
import { UsageError } from "../errors.js";

/** Options every command that talks to the agent shares. */
export interface AgentOptions {
  json?: boolean;
  agent?: string;
  token?: string;
}

export interface AppOptions extends AgentOptions {
  app?: string;
}

export const DEFAULT_AGENT = "http://127.0.0.1:7070";

export function withJson(command: Command): Command {
  return command.option("--json", "print machine-readable JSON (shapes in docs/cli.md)");
}

export function withAgent(command: Command): Command {
  return withJson(command)
    .option("--agent <url>", `the agent's API URL (env SKIFF_AGENT, default ${DEFAULT_AGENT})`)
    .option("--token <token>", "the agent's API token (env SKIFF_TOKEN)");
}

export function withApp(command: Command): Command {
  return withAgent(command).option("--app <name>", "the app (default: `app` in ./skiff.yml)");
}

/** An option parser for a count: a bad value is a usage error (exit 2) naming the flag. */
export function wholeNumber(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new UsageError(`${flag} ${value}: expected a whole number of at least ${min}`);
    return n;
  };
}

/** An option parser for a duration (`30s`, `500ms`, `2m`): a bad or zero value is a usage error naming the flag. */
export function durationOption(flag: string): (value: string) => number {
  return (value) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) throw new UsageError(`${flag} ${value}: expected ${DURATION_HINT}`);
    return ms;
  };
}
