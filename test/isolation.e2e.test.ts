import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusView } from "../src/agent/api-types.js";
import { OperationError } from "../src/errors.js";
import { findUser } from "../src/isolation/users.js";
import { onPath, requireExternal } from "../src/test-support/external.js";
import { rejection } from "../src/test-support/rejection.js";
import { until } from "../src/test-support/wait.js";
import { deploy, get, useAgents } from "./support/agent.js";
import { runSkiff } from "./support/cli.js";
import { commitFiles, createAppRepo } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

/**
 * App isolation on a real agent as root: the app's own system user is created on its first deploy,
 * owns its release and storage, and cannot read the agent's data. Needs root (to create users and
 * switch to them): skipped with a message otherwise. Every user it makes is removed after (userdel).
 */
const root = process.geteuid?.() === 0;
if (!root)
  console.warn("skipping the isolation tests: they need root (to create users and run apps as them)");
const skip = !root || requireExternal("useradd", "passwd", onPath("useradd") && onPath("userdel"));

const APP = "iso11b";
const USER = `skiff-${APP}`;

function removeUser(name: string): void {
  if (!findUser(name)) return;
  // The group useradd --user-group made goes with the user (USERGROUPS_ENAB).
  execFileSync("userdel", [name]);
}

const tempDir = useTempDirs();
const startAgent = useAgents();

/** A web process whose /health reports what reading the agent's token and listing its data dir gave. */
const SERVER = `
import { createServer } from "node:http";
import { readFileSync, readdirSync } from "node:fs";
const attempt = (f) => { try { f(); return "READ"; } catch (e) { return e.code; } };
createServer((req, res) => {
  const result = {
    token: attempt(() => readFileSync(process.env.TOKEN_FILE)),
    secrets: attempt(() => readFileSync(process.env.SECRETS_FILE)),
    list: attempt(() => readdirSync(process.env.DATA_DIR)),
    uid: process.getuid(),
  };
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
}).listen(Number(process.env.PORT), "127.0.0.1");
`;

/** A worker that writes its uid into the app's storage, then stays up. */
const WORKER = `
import { writeFileSync } from "node:fs";
writeFileSync(process.env.SKIFF_STORAGE_DIR + "/worker-uid", String(process.getuid()));
setInterval(() => {}, 1000);
`;

describe.skipIf(skip)("app isolation (agent as root)", () => {
  beforeAll(() => removeUser(USER));
  afterAll(() => removeUser(USER));

  it("runs web, worker and one-off commands as skiff-<app>, who owns its files and cannot read the agent's", async () => {
    // The temp dir itself: its parent, /tmp, is traversable; a folder of its own (0700) would not be.
    const agent = await startAgent(tempDir(), { isolation: "on" });
    const data = agent.agent.dataDir;
    const repo = createAppRepo(
      join(tempDir(), "repo"),
      APP,
      {},
      [
        "processes:",
        "  worker: { command: node worker.mjs, min_uptime: 200ms }",
        `env: { TOKEN_FILE: ${data.token}, SECRETS_FILE: ${data.secrets}, DATA_DIR: ${data.root} }`,
        "storage: [data]",
        "",
      ].join("\n"),
    );
    commitFiles(
      repo,
      { "server.mjs": SERVER, "worker.mjs": WORKER, "data/seed.txt": "seeded" },
      "feat: isolated",
    );
    await agent.client.json("PUT", "/v1/secrets/ANY", { value: "x" });

    const { result } = await deploy(agent.client, repo);
    expect(result.ok).toBe(true);
    const user = findUser(USER);
    expect(user).toBeDefined();
    const uid = user!.uid;

    // The health route tried to read the token and the secret store, and to list the data dir.
    const health = JSON.parse((await get(`${agent.proxy}/health`)).body) as Record<string, unknown>;
    expect(health).toEqual({ token: "EACCES", secrets: "EACCES", list: "EACCES", uid });

    // Its release, its storage (with the seeded file) and its HOME are its own, 0700.
    const release = data.releaseDir(APP, "r1");
    const storage = data.storageDir(APP, "production");
    for (const path of [
      release,
      join(release, "server.mjs"),
      storage,
      join(storage, "data", "seed.txt"),
      data.path("home", APP),
    ])
      expect({ path, uid: statSync(path).uid }).toEqual({ path, uid });
    expect(statSync(release).mode & 0o777).toBe(0o700);
    expect(statSync(data.root).mode & 0o777).toBe(0o711);
    expect(statSync(data.token).mode & 0o777).toBe(0o600);

    // The worker runs as the user too.
    const written = await until("the worker's uid in storage", () => {
      try {
        return readFileSync(join(storage, "worker-uid"), "utf8");
      } catch {
        return undefined;
      }
    });
    expect(Number(written)).toBe(uid);

    // So does a one-off command, with the app's own HOME.
    const run = await runSkiff([
      "run",
      "--app",
      APP,
      "--agent",
      agent.info.api,
      "--token",
      agent.agent.token,
      "--",
      "node",
      "-e",
      "console.log(process.getuid(), require('os').userInfo().username, process.env.HOME)",
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`${uid} ${USER} ${data.path("home", APP)}`);

    const status = await agent.client.json<StatusView>("GET", "/v1/status");
    expect(status.agent.isolation.enabled).toBe(true);
    expect(status.apps.find((a) => a.app === APP)?.user).toBe(USER);
  });

  it("refuses a user: that does not exist, naming the field", async () => {
    const agent = await startAgent(tempDir(), { isolation: "on" });
    const repo = createAppRepo(join(tempDir(), "repo"), "iso11b-named", {}, "user: nosuchuser11b\n");
    const error = await rejection(deploy(agent.client, repo), OperationError);
    expect(error.message).toContain("user: there is no user nosuchuser11b");
    expect(findUser("skiff-iso11b-named")).toBeUndefined();
  });
});
