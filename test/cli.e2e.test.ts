import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { SpawnedAgent } from "../src/agent/spawn.js";
import { useAgentProcesses } from "./support/agent.js";
import { runSkiff } from "./support/cli.js";
import { commitFiles, createAppRepo, setBehaviour, testConfig } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const startAgentProcess = useAgentProcesses();

let agent: SpawnedAgent;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  agent = await startAgentProcess(tempDir());
  env = { SKIFF_AGENT: agent.info.api, SKIFF_TOKEN: agent.token };
});

// Each test runs a dozen CLI processes (a new node each) against a real agent, deploys and git: on
// busy cores that is minutes, past the default timeout, without anything being wrong.
describe("skiff CLI against a real agent", { timeout: 300_000 }, () => {
  it("says a rollback is done once 100% of the traffic is on the restored release", async () => {
    const repo = createAppRepo(join(tempDir(), "app"), "back-app", { version: "v1" });
    expect((await runSkiff(["deploy"], { cwd: repo, env })).code).toBe(0);
    setBehaviour(repo, { version: "v2" });
    expect((await runSkiff(["deploy"], { cwd: repo, env })).code).toBe(0);
    const rolled = await runSkiff(["rollback"], { cwd: repo, env });
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toMatch(/back-app rolled back: 100% of traffic is on r3, serving r1 \(v0\.1\.0\)/);
    expect(rolled.stdout).toMatch(/r2 drains in the background/);
    expect(rolled.stdout).not.toMatch(/✓ drained/);
    // How r2's drain ended shows on the rollback's row of `skiff releases` once it is over.
    await vi.waitFor(
      async () => {
        const releases = await runSkiff(["releases", "--app", "back-app"], { env });
        expect(releases.stdout).toMatch(/\br3 \(r1\).* live · r2: all in-flight requests finished/);
      },
      { timeout: 60_000, interval: 200 },
    );
    const json = await runSkiff(["releases", "--app", "back-app", "--json"], { env });
    const rows = (JSON.parse(json.stdout) as { releases: Array<{ id: string; drain: unknown }> }).releases;
    expect(rows.find((r) => r.id === "r3")?.drain).toMatchObject({ state: "drained" });
  });

  it("shows the control characters of a commit message escaped, never acted on by the terminal", async () => {
    const repo = createAppRepo(join(tempDir(), "app"), "escaped-app", { version: "v1" });
    setBehaviour(repo, { version: "v2" }, "feat: \u001b]0;pwned\u0007title \u001b[2Jclear");
    expect((await runSkiff(["deploy"], { cwd: repo, env })).code).toBe(0);
    const releases = await runSkiff(["releases", "--app", "escaped-app"], { env });
    expect(releases.code).toBe(0);
    // NO_COLOR is set: no escape sequence at all may reach the terminal.
    expect(releases.stdout).not.toContain("\u001b");
    expect(releases.stdout).not.toContain("\u0007");
    expect(releases.stdout).toContain("feat: ^[]0;pwned^Gtitle ^[[2Jclear");
  });

  it("deploys, rolls back and reports, for humans and as JSON", async () => {
    const repo = createAppRepo(join(tempDir(), "app"), "cli-app", { version: "v1" });
    const first = await runSkiff(["deploy"], { cwd: repo, env });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✓ received/);
    expect(first.stdout).toMatch(/✓ healthy .* 1 of 1 healthy/);
    expect(first.stdout).toMatch(/r1 \(v0.1.0\) of cli-app is live/);

    setBehaviour(repo, { version: "v2" });
    const second = await runSkiff(["deploy", "--json"], { cwd: repo, env });
    expect(second.code).toBe(0);
    const deployed = JSON.parse(second.stdout);
    expect(deployed).toMatchObject({ ok: true, release: { id: "r2", status: "live", trigger: "cli" } });
    expect(deployed.events.map((e: { step: string }) => e.step)).toContain("switched");

    const back = JSON.parse((await runSkiff(["rollback", "--json"], { cwd: repo, env })).stdout);
    expect(back.release).toMatchObject({ id: "r3", artifact: "r1", trigger: "rollback", rollbackOf: "r2" });

    const releases = await runSkiff(["releases", "--app", "cli-app"], { env });
    expect(releases.code).toBe(0);
    expect(releases.stdout).toMatch(/●\s+r3 \(r1\).*rollback\s+live/);
    expect(releases.stdout).toMatch(/r2 .*cli\s+rolled-back: rolled back to r1/);
    expect(releases.stdout.split("\n")[0]).toMatch(
      /RELEASE\s+VERSION\s+ENV\s+COMMIT\s+MESSAGE\s+AUTHOR\s+COMMITTED\s+STARTED\s+FINISHED\s+DURATION\s+LEAD TIME\s+TRIGGER\s+OUTCOME/,
    );
    // Commit time, start (date and time), finish (time of day, same day).
    expect(releases.stdout).toMatch(
      /r2 .* \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\d\d:\d\d:\d\dZ\s/,
    );
    const listed = JSON.parse((await runSkiff(["releases", "--json"], { cwd: repo, env })).stdout);
    expect(listed.releases.map((r: { id: string }) => r.id)).toEqual(["r3", "r2", "r1"]);

    const status = JSON.parse((await runSkiff(["status", "--json"], { env })).stdout);
    expect(status.apps[0]).toMatchObject({
      app: "cli-app",
      live: { id: "r3" },
      instances: [{ index: 0, healthy: true, state: "running" }],
    });
    const human = await runSkiff(["status"], { env });
    expect(human.stdout).toMatch(/cli-app\s+default route\s+live: r3/);

    const metrics = JSON.parse((await runSkiff(["metrics", "--app", "cli-app", "--json"], { env })).stdout);
    expect(metrics.report.deploymentFrequency.deploys).toBe(2);
    expect(metrics.report.changeFailureRate).toMatchObject({ failed: 1, total: 2, rate: 0.5 });
    expect(metrics.report.rollbacks).toBe(1);
    const incidents = await runSkiff(["incidents", "--open"], { env });
    expect(incidents.stdout).toMatch(/No open incidents/);

    const logs = await runSkiff(["logs", "--app", "cli-app", "--release", "r2", "-n", "50"], { env });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/app v2 starting/);
  });

  it("exits 1 with the reason, the app's last log lines and what still serves when a deploy fails", async () => {
    const repo = createAppRepo(join(tempDir(), "app"), "cli-fail", { version: "v1" });
    expect((await runSkiff(["deploy"], { cwd: repo, env })).code).toBe(0);
    setBehaviour(repo, { version: "v2", exitAtStart: 2, exitMessage: "cannot open config.json" });
    const failed = await runSkiff(["deploy"], { cwd: repo, env });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/✗ healthy/);
    expect(failed.stderr).toMatch(/error: instance 0 exited with code 2 before it was healthy/);
    expect(failed.stderr).toMatch(/fatal: cannot open config.json/);
    expect(failed.stderr).toMatch(/hint: r1 is still live and serving cli-fail/);
    const json = JSON.parse((await runSkiff(["deploy", "--json"], { cwd: repo, env })).stdout);
    expect(json.error).toMatchObject({ type: "OperationError", exitCode: 1 });
    expect(json.error.details.join("\n")).toMatch(/fatal: cannot open config.json/);
  });

  it("exits 2 on a config error naming the field, before anything is uploaded", async () => {
    const repo = createAppRepo(join(tempDir(), "app"), "cli-config", {});
    commitFiles(
      repo,
      { "skiff.yml": testConfig("cli-config").replace("interval: 100ms", "interval: fast") },
      "bad config",
    );
    const result = await runSkiff(["deploy"], { cwd: repo, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/skiff.yml at HEAD is not valid/);
    expect(result.stderr).toMatch(
      /healthcheck.interval: expected a duration like 500ms, 2s, 5m or 1h, got "fast"/,
    );
    const releases = JSON.parse(
      (await runSkiff(["releases", "--app", "cli-config", "--json"], { env })).stdout,
    );
    expect(releases.releases).toEqual([]);
    const json = JSON.parse((await runSkiff(["deploy", "--json"], { cwd: repo, env })).stdout);
    expect(json.error).toMatchObject({ type: "ConfigError", exitCode: 2 });
    expect(json.error.issues).toEqual([
      expect.stringMatching(
        /^healthcheck.interval: expected a duration like 500ms, 2s, 5m or 1h, got "fast"/,
      ),
    ]);
  });

  it("runs preflight first: a debug leftover stops the deploy with exit 1, --no-preflight ships anyway", async () => {
    const repo = createAppRepo(join(tempDir(), "app"), "cli-pre", { version: "v1" });
    // Built at run time so the project's own preflight does not flag this test.
    const leftover = ["console", "log"].join(".");
    commitFiles(
      repo,
      { "lib/util.js": `export function add(a, b) {\n  ${leftover}(a, b);\n  return a + b;\n}\n` },
      "wip",
    );
    const stopped = await runSkiff(["deploy"], { cwd: repo, env });
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toMatch(/✗ debug/);
    expect(stopped.stderr).toMatch(/preflight found 1 blocking problem; nothing was deployed/);
    // Listed once, in the report; the error says how many and what to do.
    expect(stopped.stdout).toMatch(/lib\/util.js:2:3/);
    expect(stopped.stderr).not.toMatch(/lib\/util.js/);
    const releases = JSON.parse((await runSkiff(["releases", "--app", "cli-pre", "--json"], { env })).stdout);
    expect(releases.releases).toEqual([]);
    const forced = await runSkiff(["deploy", "--no-preflight"], { cwd: repo, env });
    expect(forced.code).toBe(0);

    // --ref checks that commit's files, not the work tree: fixed at HEAD, the leftover is still in HEAD~1.
    commitFiles(repo, { "lib/util.js": "export function add(a, b) {\n  return a + b;\n}\n" }, "fix: no log");
    const older = await runSkiff(["deploy", "--ref", "HEAD~1"], { cwd: repo, env });
    expect(older.code).toBe(1);
    expect(older.stdout).toMatch(/lib\/util.js:2:3/);
    expect((await runSkiff(["deploy"], { cwd: repo, env })).code).toBe(0);
  });

  it("refuses a dirty work tree unless --allow-dirty", async () => {
    const repo = createAppRepo(join(tempDir(), "app"), "cli-dirty", { version: "v1" });
    writeFileSync(join(repo, "notes.txt"), "work in progress");
    const refused = await runSkiff(["deploy"], { cwd: repo, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/uncommitted changes: notes.txt/);
    expect(refused.stderr).toMatch(/--allow-dirty/);
    const allowed = await runSkiff(["deploy", "--allow-dirty"], { cwd: repo, env });
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/1 uncommitted changes are not included/);
  });

  it("keeps secrets in the agent's secret store: a deploy refused for one ships once it is set", async () => {
    const name = "SKIFF_TEST_DISCORD_URL";
    const value = "http://127.0.0.1:9/discord-secret-path";
    const greeting = `hello-from-the-store-${Date.now()}`;
    const repo = createAppRepo(
      join(tempDir(), "app"),
      "cli-secret",
      { version: "v1" },
      `secrets: [GREETING]\nalerts:\n  - discord: { webhook_url_env: ${name} }\n`,
    );
    const refused = await runSkiff(["deploy"], { cwd: repo, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "secrets.0: GREETING is not set in the agent's secret store or environment (skiff secrets set GREETING)",
    );
    expect(refused.stderr).toContain(`(skiff secrets set ${name})`);
    expect((await runSkiff(["secrets", "set", `GREETING=${greeting}`], { env })).code).toBe(0);

    expect((await runSkiff(["secrets", "set", name], { env })).code).toBe(2); // no value on stdin
    const set = await runSkiff(["secrets", "set", name], { env, input: `${value}\n` });
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`${name} is set on the agent`);
    const listed = await runSkiff(["secrets", "list", "--json"], { env });
    expect(JSON.parse(listed.stdout)).toEqual({ secrets: [{ name: "GREETING" }, { name }] });
    expect(listed.stdout).not.toContain(value);
    const file = join(dirname(agent.info.tokenFile), "secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ GREETING: greeting, [name]: value });

    const shipped = await runSkiff(["deploy"], { cwd: repo, env });
    expect(shipped.code).toBe(0);
    expect(shipped.stdout + shipped.stderr).not.toContain(value);
    // The app's process got the secret as an environment variable (the fixture echoes GREETING).
    const served = (await (await fetch(`${agent.info.proxy}/`)).json()) as { env: string | null };
    expect(served.env).toBe(greeting);
    const logs = await runSkiff(["logs", "--app", "cli-secret", "-n", "200"], { env });
    expect(logs.stdout).not.toContain(greeting);
    expect((await runSkiff(["secrets", "set", "1BAD=x"], { env })).code).toBe(2);
    const unset = await runSkiff(["secrets", "unset", name, "--json"], { env });
    expect(JSON.parse(unset.stdout)).toEqual({ name, removed: true });
    expect(JSON.parse((await runSkiff(["secrets", "list", "--json"], { env })).stdout)).toEqual({
      secrets: [{ name: "GREETING" }],
    });
  });

  it("exits 3 when the agent is unreachable or refuses the token", async () => {
    const unreachable = await runSkiff(["status"], {
      env: { SKIFF_AGENT: "http://127.0.0.1:1", SKIFF_TOKEN: "x" },
    });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach the agent at http:\/\/127.0.0.1:1/);
    const refused = await runSkiff(["status", "--token", "wrong"], { env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/refused the API token/);
    expect(refused.stderr).not.toContain(agent.token);
    const none = await runSkiff(["status"], { env: { SKIFF_AGENT: agent.info.api } });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain(`no API token for the agent at ${agent.info.api}`);
  });

  it("deploy --tag writes the changelog, tags the version and pushes the tag; --env deploys an environment", async () => {
    const remote = join(tempDir(), "remote.git");
    execFileSync("git", ["init", "-q", "--bare", remote]);
    const repo = createAppRepo(
      join(tempDir(), "app"),
      "cli-tag",
      { version: "v1" },
      "environments:\n  staging: { host: staging.cli-tag.test }\n",
    );
    execFileSync("git", ["remote", "add", "origin", remote], { cwd: repo });
    const tagged = await runSkiff(["deploy", "--tag", "--json"], { cwd: repo, env });
    expect(tagged.stderr).toBe("");
    const result = JSON.parse(tagged.stdout);
    expect(result).toMatchObject({ ok: true, tag: "v0.1.0", release: { version: "0.1.0" } });
    const show = (ref: string) => execFileSync("git", ["show", ref], { cwd: remote, encoding: "utf8" });
    expect(show("v0.1.0:CHANGELOG.md")).toContain("## v0.1.0");
    expect(
      execFileSync("git", ["rev-parse", "v0.1.0^{commit}"], { cwd: remote, encoding: "utf8" }).trim(),
    ).toBe(result.release.commit.sha);

    setBehaviour(repo, { version: "v2" }, "feat: staging first");
    const staging = await runSkiff(["deploy", "--env", "staging"], { cwd: repo, env });
    expect(staging.code).toBe(0);
    expect(staging.stdout).toMatch(/r2 of cli-tag \(staging\) is live/);
    const promoted = await runSkiff(["promote", "staging", "production", "--json"], { cwd: repo, env });
    expect(promoted.code).toBe(0);
    expect(JSON.parse(promoted.stdout).release).toMatchObject({
      env: "production",
      artifact: "r2",
      trigger: "promote",
      version: "0.2.0",
    });

    setBehaviour(repo, { version: "v3" }, "fix: staging only");
    expect((await runSkiff(["deploy", "--env", "staging"], { cwd: repo, env })).code).toBe(0);
    const back = await runSkiff(["rollback", "--env", "staging", "--json"], { cwd: repo, env });
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout).release).toMatchObject({ env: "staging", artifact: "r2" });
    const listed = JSON.parse((await runSkiff(["releases", "--json"], { cwd: repo, env })).stdout);
    const live = listed.releases.filter((r: { live: boolean }) => r.live);
    expect(live.map((r: { env: string; id: string }) => [r.env, r.id]).sort()).toEqual([
      ["production", "r3"],
      ["staging", "r5"],
    ]);
  });

  it("deploy --tag of a feature and its revert releases nothing: no changelog section, no tag, same version", async () => {
    const repo = createAppRepo(join(tempDir(), "app"), "cli-revert", { version: "v1" });
    const first = await runSkiff(["deploy", "--tag", "--json"], { cwd: repo, env });
    expect(JSON.parse(first.stdout)).toMatchObject({ tag: "v0.1.0", release: { version: "0.1.0" } });
    const changelog = readFileSync(join(repo, "CHANGELOG.md"), "utf8");
    setBehaviour(repo, { version: "v2" }, "feat(ui): dark mode");
    execFileSync("git", ["revert", "--no-edit", "HEAD"], { cwd: repo, stdio: "ignore" });
    const again = await runSkiff(["deploy", "--tag", "--json"], { cwd: repo, env });
    expect(again.stderr).toBe("");
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, tag: null, release: { version: "0.1.0" } });
    expect(readFileSync(join(repo, "CHANGELOG.md"), "utf8")).toBe(changelog);
    expect(execFileSync("git", ["tag"], { cwd: repo, encoding: "utf8" }).trim()).toBe("v0.1.0");
  });

  it("exits 2 on usage errors and 0 for --help of every command", async () => {
    expect((await runSkiff(["deploy", "--no-such-flag"])).code).toBe(2);
    const missing = await runSkiff(["deploy", "/nonexistent-skiff-dir"]);
    expect([missing.code, missing.stderr]).toEqual([2, "error: /nonexistent-skiff-dir: no such directory\n"]);
    for (const args of [
      ["logs", "--app", "x", "-n", "abc"],
      ["releases", "--app", "x", "--limit", "-1"],
      ["rollback", "--app", "x", "--to", "banana"],
    ]) {
      const bad = await runSkiff(args, { env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/error: --(lines|limit|to) \S+: expected /);
    }
    expect((await runSkiff(["rollback"], { cwd: tempDir(), env })).code).toBe(2);
    expect((await runSkiff(["agent"])).stderr).toMatch(/--data-dir is required/);
    for (const [flag, value, expected] of [
      ["--body-timeout", "banana", "expected a duration like 500ms, 2s, 5m or 1h"],
      ["--send-timeout", "0s", "expected a duration like 500ms, 2s, 5m or 1h"],
      ["--upstream-connections", "0", "expected a whole number of at least 1"],
      ["--min-body-rate", "fast", "expected a whole number of at least 1"],
    ]) {
      const refused = await runSkiff(["agent", "--data-dir", tempDir(), flag!, value!]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`error: ${flag} ${value}: ${expected}`);
    }
    const commands = [
      "agent",
      "deploy",
      "rollback",
      "promote",
      "releases",
      "status",
      "logs",
      "demo",
      "version",
      "init",
      "incidents",
      "metrics",
      "preflight",
      "hooks",
      "secrets",
    ];
    const helps = await Promise.all(commands.map((command) => runSkiff([command, "--help"])));
    helps.forEach((help, i) => {
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: skiff ${commands[i]}`));
    });
  });
});
