import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseAppConfig } from "../config/load.js";
import { git } from "../git/git.js";
import { runCli } from "../test-support/cli.js";
import { commit, initRepo, useTempDirs, writeFiles } from "../test-support/git-fixtures.js";
import { until } from "../test-support/wait.js";

const tempDir = useTempDirs();

interface Workflow {
  on: { push: { branches: string[] } };
  jobs: {
    deploy: {
      steps: Array<{
        name: string;
        uses?: string;
        run?: string;
        with?: Record<string, unknown>;
        env?: Record<string, string>;
      }>;
    };
  };
}

async function nodeRepo(): Promise<string> {
  const dir = await initRepo(tempDir());
  await commit(dir, "feat: app", {
    "package.json": JSON.stringify({
      name: "hello",
      scripts: { start: "node server.js", test: "node --test" },
      engines: { node: ">=20" },
    }),
    "package-lock.json": "{}",
    "server.js":
      "require('node:http').createServer((q, s) => s.end(q.url === '/health' ? 'ok' : 'hi')).listen(process.env.PORT)\n",
  });
  return dir;
}

function readWorkflow(dir: string): Workflow {
  return parse(readFileSync(join(dir, ".github/workflows/deploy.yml"), "utf8")) as Workflow;
}

describe("skiff init", () => {
  it("writes a skiff.yml for a Node repo that skiff accepts, with the remote and branch", async () => {
    const dir = await nodeRepo();
    const remote = await initRepo(tempDir(), { bare: true });
    await git(["remote", "add", "origin", remote], { cwd: dir });
    const run = await runCli(["init", dir, "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      app: "hello",
      kind: "node",
      files: [{ path: "skiff.yml", action: "created" }],
    });
    const text = readFileSync(join(dir, "skiff.yml"), "utf8");
    expect(text).toMatch(/^# skiff\.yml/);
    expect(parseAppConfig(text)).toMatchObject({
      app: "hello",
      start: "node server.js",
      install: "npm ci --omit=dev",
      cache: ["node_modules"],
      build: undefined,
      healthcheck: { path: "/health" },
      repo: remote,
      branch: "main",
      webhookSecretEnv: "SKIFF_WEBHOOK_SECRET",
    });
    expect(existsSync(join(dir, ".github"))).toBe(false);
  });

  it("--ci github writes a workflow that runs preflight and tests, then deploys with the repository secrets", async () => {
    const dir = await nodeRepo();
    await git(["branch", "-m", "trunk"], { cwd: dir });
    const run = await runCli(["init", dir, "--ci", "github"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("skiff hooks install");
    const workflow = readWorkflow(dir);
    expect(workflow.on.push.branches).toEqual(["trunk"]);
    const steps = workflow.jobs.deploy.steps;
    const index = (test: (s: (typeof steps)[number]) => boolean) => steps.findIndex(test);
    const checkout = index((s) => s.uses === "actions/checkout@v4");
    const preflight = index((s) => s.run === "skiff preflight .");
    const tests = index((s) => s.run === "npm test");
    const deploy = index((s) => s.run?.startsWith("skiff deploy") ?? false);
    expect([checkout, preflight, tests, deploy].every((i) => i >= 0)).toBe(true);
    expect(checkout < preflight && preflight < deploy && tests < deploy).toBe(true);
    expect(steps[checkout]!.with).toEqual({ "fetch-depth": 0 });
    expect(steps.find((s) => s.uses === "actions/setup-node@v4")?.with).toEqual({ "node-version": "20" });
    expect(steps[deploy]!.env).toEqual({
      SKIFF_AGENT: `\${{ secrets.SKIFF_AGENT_URL }}`,
      SKIFF_TOKEN: `\${{ secrets.SKIFF_TOKEN }}`,
    });
    // Where skiff comes from is the repository's choice; unset, the install step stops and says so.
    expect((workflow.jobs.deploy as { env?: Record<string, string> }).env).toEqual({
      SKIFF_CLI: `\${{ vars.SKIFF_CLI }}`,
    });
    const install = steps.find((s) => s.name === "Install skiff")!.run!;
    const unset = spawnSync("bash", ["-e", "-c", install], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, SKIFF_CLI: "" },
    });
    expect(unset.status).toBe(1);
    expect(unset.stdout).toContain("::error::set the repository variable SKIFF_CLI");
    expect(parseAppConfig(readFileSync(join(dir, "skiff.yml"), "utf8")).branch).toBe("trunk");
  });

  it("sets up a Python repo: venv install (cached), gunicorn, pytest in CI", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "requirements.txt": "flask\npytest\n",
      "app.py": "from flask import Flask\napp = Flask(__name__)\n",
      "tests/test_app.py": "def test_ok():\n    assert True\n",
    });
    expect((await runCli(["init", dir, "--ci", "github"])).code).toBe(0);
    expect(parseAppConfig(readFileSync(join(dir, "skiff.yml"), "utf8"))).toMatchObject({
      start: ".venv/bin/python -m gunicorn app:app --bind 127.0.0.1:$PORT",
      install: "python3 -m venv .venv && .venv/bin/pip install --quiet -r requirements.txt gunicorn",
      cache: [".venv"],
      cacheKey: ["requirements.txt"],
      build: undefined,
      repo: undefined,
      branch: "main",
    });
    const steps = readWorkflow(dir).jobs.deploy.steps;
    expect(steps.find((s) => s.uses === "actions/setup-python@v5")?.with).toEqual({
      "python-version": "3.12",
    });
    expect(steps.map((s) => s.run)).toEqual(
      expect.arrayContaining(["pip install -r requirements.txt", "python -m pytest", "skiff deploy ."]),
    );
  });

  it("sets up a static site whose start command serves it with nothing installed", async () => {
    const dir = tempDir();
    writeFiles(dir, { "public/index.html": "<h1>hello static</h1>\n" });
    expect((await runCli(["init", dir, "--ci", "github"])).code).toBe(0);
    const config = parseAppConfig(readFileSync(join(dir, "skiff.yml"), "utf8"));
    expect(config.healthcheck.path).toBe("/");
    expect(readWorkflow(dir).jobs.deploy.steps.map((s) => s.run)).toContain("test -f public/index.html");
    expect(await fetchFromStart(dir, config.start, "/")).toContain("hello static");
  });

  it("never overwrites without --force: exit 2 naming the file, nothing written", async () => {
    const dir = await nodeRepo();
    writeFileSync(join(dir, "skiff.yml"), "app: mine\nstart: ./run\n");
    const run = await runCli(["init", dir, "--ci", "github", "--json"]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error).toMatchObject({
      message: `${join(dir, "skiff.yml")} already exists; nothing was written`,
      hint: "pass --force to overwrite",
    });
    expect(readFileSync(join(dir, "skiff.yml"), "utf8")).toBe("app: mine\nstart: ./run\n");
    expect(existsSync(join(dir, ".github/workflows/deploy.yml"))).toBe(false);

    const forced = await runCli(["init", dir, "--ci", "github", "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).files).toEqual([
      { path: "skiff.yml", action: "overwritten" },
      { path: ".github/workflows/deploy.yml", action: "created" },
    ]);
    expect(parseAppConfig(readFileSync(join(dir, "skiff.yml"), "utf8")).app).toBe("hello");
  });

  it("keeps credentials in the remote's URL out of skiff.yml", async () => {
    const dir = await nodeRepo();
    const token = ["ghp", "x".repeat(20)].join("_");
    await git(["remote", "add", "origin", `https://me:${token}@github.com/me/hello.git`], { cwd: dir });
    expect((await runCli(["init", dir])).code).toBe(0);
    const text = readFileSync(join(dir, "skiff.yml"), "utf8");
    expect(text).not.toContain(token);
    expect(parseAppConfig(text).repo).toBe("https://github.com/me/hello.git");
  });

  it.each([
    [["--ci", "jenkins"], "--ci jenkins: expected one of github"],
    [[], "could not tell what kind of app this is"],
  ])("exits 2 for %j", async (args, message) => {
    const run = await runCli(["init", tempDir(), ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** Runs skiff.yml's start command as the runtime would (sh, PORT, HOST) and fetches a path from it. */
async function fetchFromStart(dir: string, start: string, path: string): Promise<string> {
  const port = await freePort();
  const child = spawn("sh", ["-c", start], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
    detached: true,
    stdio: "ignore",
  });
  started.push(child.pid!);
  // Connection refused until the server listens: ask again until it answers.
  return until(`${start} to serve ${path}`, async () => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return response.ok ? await response.text() : undefined;
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}
