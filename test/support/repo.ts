import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const FIXTURE_SERVER = new URL("../fixtures/app/server.mjs", import.meta.url);

export interface Behaviour {
  version?: string;
  health?: number;
  exitAtStart?: number;
  exitMessage?: string;
  listenDelayMs?: number;
  crashAfterMs?: number;
  errorPaths?: string[];
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
    },
  }).trim();
}

/** skiff.yml for the test app: fast health checks so tests do not wait on production defaults. */
export function testConfig(app: string, extra = ""): string {
  return `app: ${app}
start: node server.mjs
healthcheck:
  path: /health
  interval: 100ms
  timeout: 1s
  healthy_threshold: 2
  deploy_timeout: 5s
drain_timeout: 2s
stop_timeout: 2s
${extra}`;
}

/** A real git repository holding the test app, with one commit. Returns its path. */
export function createAppRepo(dir: string, app: string, behaviour: Behaviour = {}, extraConfig = ""): string {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  copyFileSync(FIXTURE_SERVER, join(dir, "server.mjs"));
  writeFileSync(join(dir, "skiff.yml"), testConfig(app, extraConfig));
  writeFileSync(join(dir, "behaviour.json"), JSON.stringify({ version: "v1", ...behaviour }));
  commitAll(dir, `feat: ${app} ${behaviour.version ?? "v1"}`);
  return dir;
}

/** Writes files (path → content) and commits everything. Returns the new commit's sha. */
export function commitFiles(dir: string, files: Record<string, string>, message: string): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return commitAll(dir, message);
}

export function setBehaviour(dir: string, behaviour: Behaviour, message?: string): string {
  return commitFiles(
    dir,
    { "behaviour.json": JSON.stringify(behaviour) },
    message ?? `fix: ${behaviour.version ?? "change"}`,
  );
}

function commitAll(dir: string, message: string): string {
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", message);
  return git(dir, "rev-parse", "HEAD");
}
