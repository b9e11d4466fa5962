import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Agent } from "../src/agent/agent.js";
import { DEPLOY_META_HEADER } from "../src/agent/api-types.js";
import { testConfig } from "./support/repo.js";
import { rawTarball } from "./support/tarball.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

async function start(maxUploadBytes = 1024 * 1024, options: { metricsTokenFile?: string } = {}) {
  const agent = new Agent({
    // Like test/support/agent.ts: no system users for test apps.
    isolation: "off",
    dataDir: tempDir(),
    listen: { host: "127.0.0.1", port: 0 },
    api: { host: "127.0.0.1", port: 0 },
    logger: pino({ level: "silent" }),
    maxUploadBytes,
    ...options,
  });
  agents.push(agent);
  const info = await agent.start();
  const upload = (app: string, body: Buffer) =>
    fetch(`${info.api}/v1/apps/${app}/deploys`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${agent.token}`,
        "content-type": "application/gzip",
        [DEPLOY_META_HEADER]: Buffer.from(JSON.stringify({ commit: null, deployedBy: "test" })).toString(
          "base64url",
        ),
      },
      body,
    });
  return { agent, info, upload };
}

const config = { name: "skiff.yml", content: testConfig("hello") };
const server = { name: "server.mjs", content: "export {};\n" };

describe("deploy uploads the agent refuses", () => {
  it.each([
    [
      "an absolute path",
      { name: "/tmp/skiff-escape.txt", content: "x" },
      "/tmp/skiff-escape.txt: the path leaves the release directory",
    ],
    [
      "a path with ..",
      { name: "../../escape.txt", content: "x" },
      "../../escape.txt: the path leaves the release directory",
    ],
    [
      "a symlink out of the tree",
      { name: "etc", type: "2", link: "/etc" },
      "etc: the symbolic link points outside the release directory (/etc)",
    ],
    [
      "a hard link out of the tree",
      { name: "pw", type: "1", link: "../../../etc/passwd" },
      "pw: the hard link points outside",
    ],
    ["a device", { name: "null", type: "3" }, "null: entries of type CharacterDevice are not allowed"],
  ])("%s: 400, nothing unpacked, nothing recorded", async (_name, bad, message) => {
    const { agent, upload } = await start();
    const res = await upload("hello", rawTarball([config, server, bad]));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; exitCode: number } };
    expect(body.error.message).toContain(message);
    expect(body.error.exitCode).toBe(2);
    expect(existsSync(agent.dataDir.appReleasesDir("hello"))).toBe(false);
    expect(readdirSync(agent.dataDir.path("uploads"))).toEqual([]);
    expect(existsSync("/tmp/skiff-escape.txt")).toBe(false);
  });

  it("refuses an upload over the size limit with 413, keeping nothing of it", async () => {
    const { agent, upload } = await start(64 * 1024);
    const big = rawTarball([config, { name: "blob.bin", content: "x".repeat(10) }]);
    const res = await upload("hello", Buffer.concat([big, Buffer.alloc(100 * 1024)]));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /larger than the agent's limit of 65536 bytes/,
    );
    expect(readdirSync(agent.dataDir.path("uploads"))).toEqual([]);
  });

  it("refuses garbage, a tree without skiff.yml, and a skiff.yml of another app", async () => {
    const { upload } = await start();
    const garbage = await upload("hello", Buffer.from("not a tarball"));
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { message: string } }).error.message).toMatch(
      /not a valid .tar.gz/,
    );
    const noConfig = await upload("hello", rawTarball([server]));
    expect(((await noConfig.json()) as { error: { issues: string[] } }).error.issues).toEqual([
      "not found at the root of the uploaded tree; is it committed?",
    ]);
    const other = await upload("other", rawTarball([config, server]));
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: { issues: string[] } }).error.issues).toEqual([
      "app: is hello, but the deploy was sent for other",
    ]);
    const badName = await upload("Bad_Name", rawTarball([config, server]));
    expect(badName.status).toBe(400);
  });

  it("refuses a deploy to an environment skiff.yml does not have with 400, keeping nothing of it", async () => {
    const { agent, info } = await start();
    const res = await fetch(`${info.api}/v1/apps/hello/deploys?env=nope`, {
      method: "POST",
      headers: { authorization: `Bearer ${agent.token}`, "content-type": "application/gzip" },
      body: rawTarball([config, server]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; exitCode: number; hint: string } };
    expect(body.error).toMatchObject({
      message: '--env nope: hello has no environment named "nope"',
      exitCode: 2,
    });
    expect(body.error.hint).toMatch(/known environments: production/);
    expect(readdirSync(agent.dataDir.path("uploads"))).toEqual([]);
    expect(existsSync(agent.dataDir.appReleasesDir("hello"))).toBe(false);
  });

  it("lets the metrics token read /metrics and nothing else", async () => {
    const file = join(tempDir(), "metrics-token");
    writeFileSync(file, "scrape-only-token\n", { mode: 0o600 });
    const { agent, info } = await start(undefined, { metricsTokenFile: file });
    const as = (token: string, path: string) =>
      fetch(`${info.api}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const scraped = await as("scrape-only-token", "/metrics");
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain("skiff_incidents_open");
    expect((await as("scrape-only-token", "/v1/status")).status).toBe(401);
    expect((await as(agent.token, "/metrics")).status).toBe(200);
    expect((await as("wrong", "/metrics")).status).toBe(401);
  });
});

describe("request values the API refuses", () => {
  it.each([
    ["GET", "/v1/apps/hello/releases?limit=abc", 'limit: expected a whole number of at least 1, got "abc"'],
    ["GET", "/v1/apps/hello/releases?limit=0", 'limit: expected a whole number of at least 1, got "0"'],
    ["GET", "/v1/apps/hello/logs?lines=-1", 'lines: expected a whole number of at least 0, got "-1"'],
    [
      "GET",
      "/v1/metrics/delivery?since=99999999999999d",
      'since: expected a duration like 30d, 12h or 90m, up to 3650d, got "99999999999999d"',
    ],
    [
      "GET",
      "/v1/metrics/delivery?since=soon",
      'since: expected a duration like 30d, 12h or 90m, up to 3650d, got "soon"',
    ],
    [
      "POST",
      "/v1/apps/hello/rollback",
      "to: expected a release id like r3 or a version like v1.4.2",
      { to: 3 },
    ],
    ["POST", "/v1/apps/hello/rollback", "wait: expected true or false", { wait: "yes" }],
    [
      "POST",
      "/v1/apps/hello/promote",
      "from: expected an environment name like staging",
      { to: "production" },
    ],
    [
      "POST",
      "/v1/apps/hello/promote",
      "version: expected a version like 1.4.2",
      { from: "a", to: "b", version: "soon" },
    ],
    ["PUT", "/v1/secrets/DATABASE_URL", "value: expected the secret as a string", { value: 42 }],
  ])("%s %s: 400 naming the field", async (method, path, message, json?: unknown) => {
    const { agent, info } = await start();
    const res = await fetch(`${info.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${agent.token}`, "content-type": "application/json" },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { type: "UsageError", message, exitCode: 2 } });
  });

  it("answers an unknown route and a missing token in the same JSON shape", async () => {
    const { agent, info } = await start();
    const missing = await fetch(`${info.api}/v1/nothing`, {
      headers: { authorization: `Bearer ${agent.token}` },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { type: "NotFound", message: "no such API route: GET /v1/nothing", exitCode: 2 },
    });
    const refused = await fetch(`${info.api}/v1/status`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: { type: "Unauthorized", message: "missing or wrong API token", exitCode: 3 },
    });
  });
});
