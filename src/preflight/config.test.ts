import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { defaultPreflightConfig } from "./config.js";

describe("the preflight section of skiff.yml", () => {
  it("defaults every field", () => {
    expect(defaultPreflightConfig()).toEqual({
      checks: { debug: "block", secrets: "block", env: "block", git: "block", commands: "block" },
      todo: "warn",
      allowConsole: [],
      ignore: [],
      patterns: [],
      commands: undefined,
      commandTimeoutMs: 600_000,
    });
  });

  it("reads every field", () => {
    const config = parseAppConfig(`
app: web
start: node server.js
env_required: [DATABASE_URL, SESSION_SECRET]
preflight:
  checks: { env: warn, commands: off }
  todo: block
  allow_console: ["scripts/", "*.test.ts"]
  ignore: [fixtures/]
  patterns:
    - id: acme-key
      regex: "acme_[a-z0-9]{32}"
      keywords: [acme_]
  commands: [npm run lint, npm test]
  command_timeout: 2m
`);
    expect(config.envRequired).toEqual(["DATABASE_URL", "SESSION_SECRET"]);
    expect(config.preflight).toEqual({
      checks: { debug: "block", secrets: "block", env: "warn", git: "block", commands: "off" },
      todo: "block",
      allowConsole: ["scripts/", "*.test.ts"],
      ignore: ["fixtures/"],
      patterns: [
        {
          id: "acme-key",
          regex: "acme_[a-z0-9]{32}",
          keywords: ["acme_"],
          check: "secrets",
          severity: "error",
        },
      ],
      commands: [
        { name: "npm run lint", run: "npm run lint" },
        { name: "npm test", run: "npm test" },
      ],
      commandTimeoutMs: 120_000,
    });
  });

  it.each([
    ["env_required: DATABASE_URL", "env_required: expected a list of variable names"],
    ["env_required: [9LIVES]", "env_required.0: expected a variable name like DATABASE_URL"],
    [
      "preflight:\n  checks:\n    secret: warn",
      "preflight.checks.secret: unknown key (did you mean secrets?)",
    ],
    [
      "preflight:\n  command_timeout: soon",
      'preflight.command_timeout: expected a duration like 500ms, 2s, 5m or 1h, got "soon"',
    ],
    [
      "preflight:\n  commands: npm test",
      "preflight.commands: expected a list of commands, or a mapping of name: command",
    ],
    [
      "preflight:\n  patterns:\n    - id: Bad Id\n      regex: x",
      "preflight.patterns.0.id: expected an id of lowercase letters, digits and dashes",
    ],
  ])("%s → %s", (yaml, message) => {
    expect(() => parseAppConfig(`app: web\nstart: node s.js\n${yaml}\n`)).toThrow(message);
  });
});
