import { userInfo } from "node:os";
import { relative, resolve } from "node:path";
import type { DeployMeta } from "../agent/api-types.js";
import { parseAppConfig } from "../config/load.js";
import { PROCFILE } from "../config/procfile.js";
import type { AppConfig } from "../config/schema.js";
import { ConfigError, UsageError } from "../errors.js";
import { GitError, git, gitBuffer } from "../git/git.js";
import { type CommitInfo, commitInfo, repoRoot } from "../git/repo.js";

/** An app's committed tree at one revision: what a deploy ships. */
export interface AppSource {
  dir: string;
  root: string;
  /** The app's directory inside the repository ("" when it is the repository root). */
  prefix: string;
  ref: string;
  commit: CommitInfo;
  config: AppConfig;
}

export async function readAppSource(dirArg: string | undefined, ref = "HEAD"): Promise<AppSource> {
  const dir = resolve(dirArg ?? ".");
  const root = await repoRoot(dir);
  const prefix = relative(root, dir);
  const commit = await commitInfo(root, ref);
  const file = prefix ? `${prefix}/skiff.yml` : "skiff.yml";
  let text: string;
  try {
    text = await git(["show", `${commit.sha}:${file}`], { cwd: root });
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new ConfigError(`${file} at ${ref}`, ["not found in that commit; add skiff.yml and commit it"]);
  }
  // Read as the agent will read it: a committed Procfile gives the process types when skiff.yml has none.
  const procfile = await git(["show", `${commit.sha}:${prefix ? `${prefix}/` : ""}${PROCFILE}`], {
    cwd: root,
  }).catch((error: unknown) => {
    if (error instanceof GitError) return undefined;
    throw error;
  });
  return { dir, root, prefix, ref, commit, config: parseAppConfig(text, `${file} at ${ref}`, procfile) };
}

/** The committed tree as .tar.gz, exactly what `git archive` makes of it. */
export function archive(source: AppSource): Promise<Buffer> {
  const tree = source.prefix ? `${source.commit.sha}:${source.prefix}` : source.commit.sha;
  return gitBuffer(["archive", "--format=tar.gz", tree], { cwd: source.root });
}

/** `--app` must agree with skiff.yml when both are given. */
export function appName(source: AppSource | undefined, flag: string | undefined): string {
  if (flag && source && flag !== source.config.app) {
    throw new UsageError(`--app ${flag}: skiff.yml says app: ${source.config.app}`);
  }
  const app = flag ?? source?.config.app;
  if (!app) throw new UsageError("--app is required here (no skiff.yml in this directory)");
  return app;
}

/** Who is deploying, for the ledger: git's user.name, else the OS user. */
export async function whoAmI(cwd: string): Promise<string> {
  const name = await git(["config", "user.name"], { cwd }).catch(() => "");
  return name || userInfo().username;
}

/** What travels with the tarball: the commit, who deploys, and the version when one was worked out. */
export function deployMeta(
  source: AppSource,
  deployedBy: string | null,
  version: string | null = null,
): DeployMeta {
  const { sha, message, author, committedAt } = source.commit;
  return { commit: { sha, message, author, committedAt }, deployedBy, version };
}
