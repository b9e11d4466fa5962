import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CONFIG_FILE, parseAppConfig } from "../config/load.js";
import { DEFAULT_BRANCH } from "../environments/schema.js";
import { UsageError } from "../errors.js";
import { GitError, git } from "../git/git.js";
import { defaultRemote, remoteUrl } from "../git/history.js";
import { type DetectedApp, detectApp } from "./detect.js";
import { readProject } from "./project.js";
import { renderSkiffYml } from "./skiff-yml.js";
import { renderWorkflow, WORKFLOW_FILE } from "./workflow.js";

export type CiProvider = "github";

export interface InitOptions {
  ci?: CiProvider | undefined;
  force?: boolean | undefined;
}

export interface InitResult {
  detected: DetectedApp;
  repo: string | undefined;
  branch: string;
  files: Array<{ path: string; action: "created" | "overwritten" }>;
}

/**
 * Detects the app in `dir` and writes skiff.yml (and the CI workflow with `ci`). Checks every target
 * first: without `force` an existing file stops everything before anything is written.
 */
export async function initApp(dir: string, options: InitOptions = {}): Promise<InitResult> {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a directory`);
  const detected = detectApp(readProject(dir, basename(dir)));
  const { repo, branch } = await gitFacts(dir);
  const planned = [{ path: CONFIG_FILE, text: renderSkiffYml(detected, { repo, branch }) }];
  if (options.ci === "github") planned.push({ path: WORKFLOW_FILE, text: renderWorkflow(detected, branch) });
  // What we write must be what skiff accepts; a failure here is a bug in init, not in the user's repo.
  parseAppConfig(planned[0]!.text, join(dir, CONFIG_FILE));
  const existing = planned.filter((file) => existsSync(join(dir, file.path))).map((file) => file.path);
  if (existing.length > 0 && !options.force) {
    throw new UsageError(
      `${existing.map((path) => join(dir, path)).join(" and ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written`,
      "pass --force to overwrite",
    );
  }
  for (const file of planned) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.text);
  }
  return {
    detected,
    repo,
    branch,
    files: planned.map((file) => ({
      path: file.path,
      action: existing.includes(file.path) ? "overwritten" : "created",
    })),
  };
}

/** The remote's URL (no credentials) and the production branch: the remote's default, else the current one. */
async function gitFacts(dir: string): Promise<{ repo: string | undefined; branch: string }> {
  try {
    await git(["rev-parse", "--git-dir"], { cwd: dir });
  } catch (error) {
    if (error instanceof GitError) return { repo: undefined, branch: DEFAULT_BRANCH };
    throw error;
  }
  const remote = await defaultRemote(dir);
  const repo = remote ? await remoteUrl(dir, remote) : undefined;
  const remoteHead = remote ? await symbolicRef(dir, `refs/remotes/${remote}/HEAD`) : undefined;
  const branch = remoteHead?.slice(`${remote}/`.length) ?? (await symbolicRef(dir, "HEAD")) ?? DEFAULT_BRANCH;
  return { repo, branch };
}

async function symbolicRef(dir: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(["symbolic-ref", "--quiet", "--short", ref], { cwd: dir })) || undefined;
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}
