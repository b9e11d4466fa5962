import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { ConfigError } from "../errors.js";

const BASE = "app: hello\nstart: node server.js\n";

function issuesOf(text: string): string[] {
  try {
    parseAppConfig(BASE + text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("skiff.yml delivery keys", () => {
  it("reads repo, branch, webhook secret variable and previews", () => {
    const config = parseAppConfig(`${BASE}
repo: git@github.com:me/hello.git
branch: trunk
webhook_secret_env: HELLO_HOOK_SECRET
previews: { enabled: true, host: "{branch}.Preview.Hello.example.com", ttl: 3d, max: 2 }
`);
    expect(config).toMatchObject({
      repo: "git@github.com:me/hello.git",
      branch: "trunk",
      webhookSecretEnv: "HELLO_HOOK_SECRET",
      previews: {
        enabled: true,
        hostTemplate: "{branch}.preview.hello.example.com",
        ttlMs: 3 * 86_400_000,
        max: 2,
      },
    });
  });

  it.each([
    "https://github.com/me/hello.git",
    "ssh://git@example.com:2222/srv/hello.git",
    "/srv/git/hello.git",
    "../hello",
    "file:///srv/git/hello.git",
  ])("accepts the repo %s", (repo) => {
    expect(parseAppConfig(`${BASE}repo: ${repo}\n`).repo).toBe(repo);
  });

  it.each([
    ["repo: ''\n", "repo: must not be empty"],
    ["repo: https://me:tok@github.com/me/hello.git\n", "repo: must not contain credentials"],
    ["repo: https://tok@github.com/me/hello.git\n", "repo: must not contain credentials"],
    ["repo: ssh://me:pw@example.com/hello.git\n", "repo: must not contain credentials"],
    ["repo: [a]\n", "repo: expected a git URL or a path"],
    ["branch: 'has space'\n", "branch: expected a branch name like main or release/2"],
    ["branch: feature..x\n", "branch: expected a branch name"],
    ["branch: -x\n", "branch: expected a branch name"],
    ["branch: x.lock\n", "branch: expected a branch name"],
    ["webhook_secret_env: 1SECRET\n", "webhook_secret_env: expected an environment variable name"],
    ["previews: yes\n", "previews: expected a mapping like { enabled: true"],
    ["previews: { enabled: 'on' }\n", "previews.enabled: expected true or false"],
    [
      "previews: { ttl: 1 week }\n",
      'previews.ttl: expected a duration like 500ms, 2s, 5m or 1h, got "1 week"',
    ],
    ["previews: { max: 0 }\n", "previews.max: expected a whole number from 1 to 100"],
    [
      "previews: { host: preview.example.com }\n",
      "previews.host: expected a host template with {branch} once",
    ],
    [
      "previews: { host: '{branch}.{branch}.example.com' }\n",
      "previews.host: expected a host template with {branch} once",
    ],
    [
      "previews: { host: '{branch}.bad host' }\n",
      "previews.host: expected a host template like {branch}.preview.example.com",
    ],
    [
      "previews: { enabled: true }\n",
      "previews.host: is required when previews are enabled and the app has no host",
    ],
    ["previews: { enabeld: true }\n", "previews.enabeld: unknown key (did you mean enabled?)"],
    ["environment: {}\n", "environment: unknown key (did you mean environments?)"],
    ["environments: [staging]\n", "environments: expected a mapping of environment names to overrides"],
    [
      "environments: { Staging: {} }\n",
      "environments.Staging: expected an environment name of 1 to 40 lowercase",
    ],
    ["environments: { staging: debug }\n", "environments.staging: expected a mapping of overrides"],
    [
      "environments: { staging: { instances: 0 } }\n",
      "environments.staging.instances: expected a whole number from 1 to 64",
    ],
    ["environments: { staging: { host: 'a b' } }\n", "environments.staging.host: expected a host name"],
    [
      "environments: { staging: { env: { PORT: 1 } } }\n",
      "environments.staging.env.PORT: is set by skiff for each instance",
    ],
    [
      "environments: { staging: { healthcheck: { interval: x } } }\n",
      "environments.staging.healthcheck.interval: expected a duration",
    ],
    [
      "environments: { staging: { hots: a.example.com } }\n",
      "environments.staging.hots: unknown key (did you mean host?)",
    ],
    [
      "environments: { staging: { healthcheck: { pth: /x } } }\n",
      "environments.staging.healthcheck.pth: unknown key (did you mean path?)",
    ],
    [
      "environments: { staging: { app: other } }\n",
      "environments.staging.app: is the same in every environment; set it at the top level",
    ],
    [
      "environments: { staging: { previews: {} } }\n",
      "environments.staging.previews: is the same in every environment",
    ],
  ])("%j → %s", (text, expected) => {
    expect(issuesOf(text).join("\n")).toContain(expected);
  });

  it("derives the preview host from the app's host when previews.host is left out", () => {
    const config = parseAppConfig(`${BASE}host: hello.example.com\npreviews: { enabled: true }\n`);
    expect(config.previews).toMatchObject({ enabled: true, hostTemplate: undefined });
  });
});

describe("environments", () => {
  const config = parseAppConfig(`${BASE}
host: hello.example.com
instances: 3
env: { NODE_ENV: production, LOG_LEVEL: info }
healthcheck: { path: /up, interval: 500ms }
environments:
  staging: { host: staging.hello.example.com, branch: develop, instances: 1, env: { LOG_LEVEL: debug }, healthcheck: { timeout: 5s } }
  canary: { build: npm ci }
`);

  it("resolves each environment as the top level with its overrides, maps merged key by key", () => {
    expect(config.environments.staging).toMatchObject({
      app: "hello",
      start: "node server.js",
      hosts: ["staging.hello.example.com"],
      branch: "develop",
      instances: 1,
      env: { NODE_ENV: "production", LOG_LEVEL: "debug" },
      healthcheck: { path: "/up", intervalMs: 500, timeoutMs: 5000 },
    });
    expect(config.environments.canary).toMatchObject({
      build: "npm ci",
      hosts: ["hello.example.com"],
      branch: "main",
      instances: 3,
    });
  });

  it("leaves the top level as it was", () => {
    expect(config).toMatchObject({
      hosts: ["hello.example.com"],
      branch: "main",
      instances: 3,
      build: undefined,
    });
    expect(config.env).toEqual({ NODE_ENV: "production", LOG_LEVEL: "info" });
  });
});
