import { describe, expect, it } from "vitest";
import { expandTemplate, parseVolume } from "./accessories.js";
import { parseMemory } from "./containers.js";
import { parseAppConfig } from "./load.js";
import { configIssues } from "./test-support/config-issues.js";

const app = (section: string) => `app: hello\n${section}`;

describe("container apps in skiff.yml", () => {
  it("an image app needs no start:, and pulls with the registry login", () => {
    const config = parseAppConfig(
      app(
        "image: ghcr.io/me/app:1.2.3\nport: 8080\nmemory: 512m\ncpus: 0.5\nregistry: { username: me, password_env: GHCR_TOKEN }\n",
      ),
    );
    expect(config.start).toBe("");
    expect(config.container).toEqual({
      source: { kind: "image", ref: "ghcr.io/me/app:1.2.3" },
      command: undefined,
      port: 8080,
      limits: { memoryBytes: 512 * 1024 ** 2, cpus: 0.5 },
      registry: { username: "me", passwordEnv: "GHCR_TOKEN" },
    });
  });

  it("a Dockerfile app is built with its build args; start: overrides the image's command", () => {
    const config = parseAppConfig(
      app(
        "dockerfile: ./deploy/Dockerfile\nbuild_args: { NODE_VERSION: 20, DEBUG: false }\nstart: node dist/server.js\n",
      ),
    );
    expect(config.container).toEqual({
      source: {
        kind: "dockerfile",
        path: "deploy/Dockerfile",
        buildArgs: { NODE_VERSION: "20", DEBUG: "false" },
      },
      command: "node dist/server.js",
      port: undefined,
      limits: {},
      registry: undefined,
    });
    expect(config.start).toBe("node dist/server.js");
  });

  it("a host-process app has no container", () => {
    expect(parseAppConfig(app("start: node server.js\n")).container).toBeUndefined();
  });

  it.each([
    [
      "image: ghcr.io/me/app:1\ndockerfile: Dockerfile\n",
      "dockerfile: set either image: (a prebuilt image) or dockerfile: (built on the agent), not both",
    ],
    [
      "env: {}\n",
      "start: is required: the command that starts the app, like `node server.js` (or processes:, a Procfile, or image:/dockerfile: for a container)",
    ],
    [
      "image: ghcr.io/Me/App\n",
      "image: expected lowercase letters, digits and separators (. _ -) in the repository path",
    ],
    ["image: 'app:1 2'\n", "image: must not contain spaces"],
    ["image: app@sha256:abc\n", "image: expected the digest after @ to be sha256: and 64 hex digits"],
    [
      "dockerfile: ../Dockerfile\n",
      "dockerfile: expected a path inside the source, like Dockerfile or deploy/Dockerfile",
    ],
    ["dockerfile: /etc/Dockerfile\n", "dockerfile: expected a path inside the source"],
    [
      "image: app:1\nbuild: npm ci\n",
      "build: a container app is built by its Dockerfile (or comes prebuilt); remove build:",
    ],
    ["image: app:1\nbuild_args: { A: b }\n", "build_args: is only used with dockerfile:"],
    [
      "dockerfile: Dockerfile\nbuild_args: { a-b: 1 }\n",
      "build_args.a-b: expected a build argument's name like NODE_VERSION",
    ],
    [
      "dockerfile: Dockerfile\nregistry: { username: me, password_env: T }\n",
      "registry: is only used with image:",
    ],
    ["start: node s.js\nport: 8080\n", "port: is only used by container apps (image: or dockerfile:)"],
    ["start: node s.js\nmemory: 1g\n", "memory: is only used by container apps"],
    ["image: app:1\nport: 70000\n", "port: expected a port number from 1 to 65535"],
    ["image: app:1\nmemory: 512\n", "memory: expected a size like 256m or 1g, got 512"],
    ["image: app:1\nmemory: 1k\n", "memory: must be at least 6m (the engine's minimum)"],
    ["image: app:1\ncpus: 0\n", "cpus: expected a number of CPUs like 0.5 or 2"],
    ["image: app:1\nregistry: { username: me, password: hunter2 }\n", "registry.password: unknown key"],
    [
      "image: app:1\nregistry: { username: me, password_env: 'ghp_abc def' }\n",
      "registry.password_env: expected the name of an environment variable",
    ],
    ["image: app:1\nimgae: x\n", "imgae: unknown key (did you mean image?)"],
  ])("%j → %s", (section, expected) => {
    expect(configIssues(app(section)).join("\n")).toContain(expected);
  });

  it.each([
    ["256m", 256 * 1024 ** 2],
    ["1g", 1024 ** 3],
    ["1.5G", 1.5 * 1024 ** 3],
    ["512MiB", 512 * 1024 ** 2],
    ["64mb", 64 * 1024 ** 2],
    ["100", undefined],
    ["1t", undefined],
    ["", undefined],
  ])("memory %j → %s bytes", (text, bytes) => expect(parseMemory(text)).toBe(bytes));
});

describe("accessories in skiff.yml", () => {
  const postgres = `
image: app:1
accessories:
  db:
    image: postgres:16
    port: 5432
    host_port: 15432
    env: { POSTGRES_USER: app, POSTGRES_DB: app }
    secrets: [POSTGRES_PASSWORD]
    volumes: ["data:/var/lib/postgresql/data"]
    healthcheck: { command: "pg_isready -U app", interval: 2s }
    app_env:
      DATABASE_URL: "postgres://app:\${POSTGRES_PASSWORD}@\${HOST}:\${PORT}/app"
  cache:
    image: redis:7
    secrets: { REDIS_PASSWORD: CACHE_PASSWORD }
    command: [redis-server, --appendonly, "yes"]
    volumes: ["./redis:/data"]
    memory: 128m
`;

  it("reads every field with its defaults", () => {
    const { accessories } = parseAppConfig(app(postgres));
    expect(accessories.db).toEqual({
      image: "postgres:16",
      port: 5432,
      hostPort: 15432,
      command: undefined,
      user: undefined,
      env: { POSTGRES_USER: "app", POSTGRES_DB: "app" },
      secrets: { POSTGRES_PASSWORD: "POSTGRES_PASSWORD" },
      volumes: [{ name: "data", target: "/var/lib/postgresql/data", readOnly: false }],
      healthcheck: {
        command: "pg_isready -U app",
        intervalMs: 2000,
        timeoutMs: 5000,
        retries: 5,
        startPeriodMs: 0,
      },
      appEnv: { DATABASE_URL: `postgres://app:\${POSTGRES_PASSWORD}@\${HOST}:\${PORT}/app` },
      limits: {},
      stopTimeoutMs: 30_000,
    });
    expect(accessories.cache).toMatchObject({
      secrets: { REDIS_PASSWORD: "CACHE_PASSWORD" },
      command: ["redis-server", "--appendonly", "yes"],
      volumes: [{ name: "redis", target: "/data", readOnly: false }],
      limits: { memoryBytes: 128 * 1024 ** 2 },
    });
  });

  it.each([
    ["db: { port: 5432 }", "accessories.db.image: is required"],
    ["Db: { image: postgres:16 }", "accessories.Db: expected a name like db or cache"],
    [
      "db: { image: postgres:16, volumes: ['/srv/pg:/var/lib/postgresql/data'] }",
      "accessories.db.volumes.0: /srv/pg is a path on the server; an accessory keeps its data in the app's storage: name a folder instead, like data:/var/lib/postgresql/data",
    ],
    [
      "db: { image: postgres:16, volumes: ['data'] }",
      "accessories.db.volumes.0: expected NAME:/path/in/container[:ro]",
    ],
    [
      "db: { image: postgres:16, volumes: ['data:relative'] }",
      'accessories.db.volumes.0: "relative": the path in the container must be absolute',
    ],
    [
      "db: { image: postgres:16, volumes: ['a:/d', 'b:/d'] }",
      "accessories.db.volumes.1: /d is mounted twice",
    ],
    [
      `db: { image: postgres:16, app_env: { DATABASE_URL: 'postgres://\${USER}@\${HOST}' } }`,
      `accessories.db.app_env.DATABASE_URL: \${USER} is not HOST, PORT or one of this accessory's env or secrets`,
    ],
    [
      "db: { image: postgres:16, app_env: { URL: x } }\n  db2: { image: postgres:16, app_env: { URL: y } }",
      "accessories.db2.app_env.URL: is also set by accessories.db.app_env",
    ],
    [
      "db: { image: postgres:16, host_port: 5432 }\n  db2: { image: postgres:16, host_port: 5432 }",
      "accessories.db2.host_port: is also accessories.db.host_port",
    ],
    [
      "db: { image: postgres:16, healthcheck: { test: pg_isready } }",
      "accessories.db.healthcheck.test: unknown key",
    ],
    ["db: { image: postgres:16, volume: [] }", "accessories.db.volume: unknown key (did you mean volumes?)"],
    ["db: { image: postgres:16, secrets: [db-password] }", "accessories.db.secrets"],
  ])("%s → %s", (entry, expected) => {
    expect(configIssues(app(`image: app:1\naccessories:\n  ${entry}\n`)).join("\n")).toContain(expected);
  });

  it("a list instead of a mapping says what an accessory looks like", () => {
    expect(configIssues(app("image: app:1\naccessories: [postgres]\n"))).toEqual([
      "accessories: expected a mapping of accessories, like db: { image: postgres:16 }",
    ]);
  });

  it.each([
    ["data:/var/lib/postgresql/data", { name: "data", target: "/var/lib/postgresql/data", readOnly: false }],
    [
      "./pgdata:/var/lib/postgresql/data",
      { name: "pgdata", target: "/var/lib/postgresql/data", readOnly: false },
    ],
    ["conf:/etc/app:ro", { name: "conf", target: "/etc/app", readOnly: true }],
    ["../up:/x", { error: expect.stringContaining('"../up"') }],
    ["~/x:/x", { error: expect.stringContaining("is a path on the server") }],
    ["a:/x:rx", { error: expect.stringContaining("expected NAME:/path") }],
  ])("volume %j", (text, expected) => expect(parseVolume(text)).toEqual(expected));

  it("expands an app_env template with the accessory's address and secrets", () => {
    expect(
      expandTemplate(`postgres://app:\${POSTGRES_PASSWORD}@\${HOST}:\${PORT}/app`, {
        POSTGRES_PASSWORD: "p@ss",
        HOST: "db",
        PORT: "5432",
      }),
    ).toBe("postgres://app:p@ss@db:5432/app");
  });
});
