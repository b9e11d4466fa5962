import { z } from "zod";
import { duration } from "../config/fields.js";
import { CHECK_NAMES, type CheckName } from "./types.js";

/**
 * The `preflight:` section of skiff.yml and `env_required:`. Every field is optional; an absent
 * section (or no skiff.yml at all) means the defaults below.
 */

const mode = z.enum(["block", "warn", "off"], { error: "expected block, warn or off" });

const checks = z
  .strictObject(
    Object.fromEntries(CHECK_NAMES.map((name) => [name, mode.default("block")])) as Record<
      CheckName,
      z.ZodDefault<typeof mode>
    >,
  )
  .prefault({});

const pathList = z.array(z.string().min(1, { error: "must not be empty" }), {
  error: "expected a list of paths or globs (gitignore syntax)",
});

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

const pattern = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "expected an id of lowercase letters, digits and dashes" }),
  regex: z.string().refine(compiles, { error: "expected a valid JavaScript regular expression" }),
  keywords: z.array(z.string().min(3, { error: "keywords need at least 3 characters" })).default([]),
  check: z.enum(["secrets", "debug"], { error: "expected secrets or debug" }).default("secrets"),
  severity: z.enum(["error", "warning"], { error: "expected error or warning" }).default("error"),
  message: z.string().optional(),
});

const commands = z.union(
  [
    z.array(z.string().trim().min(1, { error: "must not be empty" })),
    z.record(z.string(), z.string().trim().min(1, { error: "must not be empty" })),
  ],
  { error: "expected a list of commands, or a mapping of name: command" },
);

export const preflightSchema = z
  .strictObject({
    checks,
    todo: z.enum(["warn", "block"], { error: "expected warn or block" }).default("warn"),
    allow_console: pathList.default([]),
    ignore: pathList.default([]),
    patterns: z.array(pattern).default([]),
    commands: commands.optional(),
    command_timeout: duration("10m"),
  })
  .prefault({})
  .transform((p) => ({
    checks: p.checks,
    todo: p.todo,
    allowConsole: p.allow_console,
    ignore: p.ignore,
    patterns: p.patterns,
    commands:
      p.commands === undefined
        ? undefined
        : Array.isArray(p.commands)
          ? p.commands.map((run) => ({ name: run, run }))
          : Object.entries(p.commands).map(([name, run]) => ({ name, run })),
    commandTimeoutMs: p.command_timeout,
  }));

export type PreflightConfig = z.output<typeof preflightSchema>;
export type CustomPattern = PreflightConfig["patterns"][number];

/** `env_required:` variables the app needs set (checked against .env files by preflight). */
export const envRequiredSchema = z
  .array(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected a variable name like DATABASE_URL" }),
    {
      error: "expected a list of variable names",
    },
  )
  .default([]);

/** Keys of the section, for did-you-mean on unknown keys. */
export const PREFLIGHT_KEYS = {
  preflight: ["checks", "todo", "allow_console", "ignore", "patterns", "commands", "command_timeout"],
  "preflight.checks": [...CHECK_NAMES],
};

export function defaultPreflightConfig(): PreflightConfig {
  return preflightSchema.parse(undefined);
}
