import { describe, expect, it } from "vitest";
import { parseAppConfig } from "./load.js";
import { parseProcfile } from "./procfile.js";
import { configIssues as issuesOf } from "./test-support/config-issues.js";

const base = "app: shop\n";

describe("processes in skiff.yml", () => {
  it("start: is the single web process; top-level instances count web", () => {
    const config = parseAppConfig(`${base}start: node server.js\ninstances: 2\n`);
    expect(config.processes.map((p) => [p.name, p.command, p.instances])).toEqual([
      ["web", "node server.js", 2],
    ]);
  });

  it("reads strings and objects, web first, the others as written, with their defaults", () => {
    const config = parseAppConfig(`${base}stop_timeout: 4s
processes:
  clock: node clock.js
  worker: { command: node worker.js, instances: 2, min_uptime: 1s, stop_timeout: 30s, healthcheck: { command: test -f ready } }
  web: node server.js
`);
    expect(config.processes).toEqual([
      {
        name: "web",
        command: "node server.js",
        instances: 1,
        minUptimeMs: 3000,
        healthcheck: undefined,
        stopTimeoutMs: 4000,
      },
      {
        name: "clock",
        command: "node clock.js",
        instances: 1,
        minUptimeMs: 3000,
        healthcheck: undefined,
        stopTimeoutMs: 4000,
      },
      {
        name: "worker",
        command: "node worker.js",
        instances: 2,
        minUptimeMs: 1000,
        healthcheck: { command: "test -f ready", timeoutMs: 10_000 },
        stopTimeoutMs: 30_000,
      },
    ]);
    expect(config.start).toBe("node server.js");
  });

  it("start: with processes: adds workers beside the web process", () => {
    const config = parseAppConfig(`${base}start: node server.js\nprocesses: { worker: node worker.js }\n`);
    expect(config.processes.map((p) => p.name)).toEqual(["web", "worker"]);
  });

  it("an app of workers only has no web process", () => {
    const config = parseAppConfig(`${base}processes: { bot: node bot.js }\n`);
    expect(config.processes.map((p) => p.name)).toEqual(["bot"]);
    expect(config.start).toBe("");
  });

  it("reads release, install, cache, cache_key and storage", () => {
    const config = parseAppConfig(`${base}start: x
release: npm run migrate
release_timeout: 30s
install: npm ci --omit=dev
cache: [node_modules, vendor/]
cache_key: [package-lock.json]
storage: [data, public/uploads/, ./db]
`);
    expect(config).toMatchObject({
      release: "npm run migrate",
      releaseTimeoutMs: 30_000,
      install: "npm ci --omit=dev",
      cache: ["node_modules", "vendor"],
      cacheKey: ["package-lock.json"],
      storage: ["data", "public/uploads", "db"],
    });
  });

  it.each([
    ["processes: { web: x }\nstart: y\n", "processes.web: start: is already the web process"],
    ["processes: { release: x }\n", "processes.release: release is the release phase"],
    ["processes: { 'a b': x }\n", "processes.a b: expected a process type name"],
    ["processes: { worker: '' }\n", "processes.worker"],
    ["processes: { worker: { instances: 2 } }\n", "processes.worker.command"],
    ["processes: { worker: { command: x, instances: 65 } }\n", "expected a whole number from 0 to 64"],
    [
      "processes: { worker: { command: x, instance: 2 } }\n",
      "processes.worker.instance: unknown key (did you mean instances?)",
    ],
    [
      "processes: { web: { command: x, min_uptime: 2s } }\n",
      "processes.web.min_uptime: web is gated by healthcheck:",
    ],
    [
      "processes: { web: { command: x, instances: 0 } }\n",
      "processes.web.instances: web needs at least 1 instance",
    ],
    ["processes: [web]\n", "processes: expected a mapping of process types"],
    ["start: x\nstorage: [../data]\n", "storage.0: expected a path inside the release"],
    ["start: x\nstorage: [/srv/data]\n", "storage.0: expected a path inside the release"],
    ["start: x\nstorage: [data, data/]\n", "storage.1: data is listed twice"],
    ["start: x\nstorage: [data, data/db]\n", "storage.1: data/db is inside data (storage.0)"],
    ["start: x\nstorage: [.]\n", "storage.0: expected a path inside the release"],
    [
      "start: x\nstorage: [node_modules]\ncache: [node_modules]\n",
      "storage.0: node_modules overlaps cache: node_modules",
    ],
    ["start: x\ncache: [../x]\n", "cache.0: expected a path inside the release"],
    ["start: x\ncache_key: []\n", "cache_key: list at least one file"],
    ["start: x\nrelease_timeout: soon\n", "release_timeout: expected a duration"],
    ["start: x\nenv: { SKIFF_STORAGE_DIR: /x }\n", "env.SKIFF_STORAGE_DIR: is set by skiff"],
  ])("%j → %s", (text, expected) => {
    expect(issuesOf(`${base}${text}`).join("\n")).toContain(expected);
  });
});

describe("Procfile", () => {
  it("parses as Heroku does: type: command lines, the rest skipped, release: is the release phase", () => {
    expect(
      parseProcfile(
        "# the app\nweb: node server.js --port $PORT\n\nworker:bundle exec sidekiq\nrelease: npm run migrate\n  not a line\nclock-1: node clock.js\n",
      ),
    ).toEqual({
      processes: {
        web: "node server.js --port $PORT",
        worker: "bundle exec sidekiq",
        "clock-1": "node clock.js",
      },
      release: "npm run migrate",
    });
  });

  it("gives the process types and release command when skiff.yml has neither start: nor processes:", () => {
    const config = parseAppConfig(
      base,
      "skiff.yml",
      "web: node server.js\nworker: node worker.js\nrelease: node migrate.js\n",
    );
    expect(config.processes.map((p) => `${p.name}=${p.command}`)).toEqual([
      "web=node server.js",
      "worker=node worker.js",
    ]);
    expect(config.release).toBe("node migrate.js");
  });

  it("is ignored when skiff.yml has start: or processes:, and skiff.yml's release: wins", () => {
    const procfile = "web: node other.js\nrelease: node procfile-migrate.js\n";
    expect(parseAppConfig(`${base}start: node server.js\n`, "skiff.yml", procfile).processes).toHaveLength(1);
    expect(parseAppConfig(`${base}start: node server.js\n`, "skiff.yml", procfile).release).toBeUndefined();
    const own = parseAppConfig(`${base}release: node own.js\n`, "skiff.yml", procfile);
    expect([own.start, own.release]).toEqual(["node other.js", "node own.js"]);
  });

  it("a Procfile without a type still needs start:", () => {
    expect(() => parseAppConfig(base, "skiff.yml", "# nothing\n")).toThrow(/start: is required/);
  });
});
