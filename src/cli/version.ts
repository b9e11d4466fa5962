import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { CONFIG_FILE, loadAppConfig } from "../config/load.js";
import { AgentUnreachableError, UsageError } from "../errors.js";
import { repoRoot } from "../git/repo.js";
import { type DeployedVersion, planRelease, type ReleasePlan } from "../versions/plan.js";
import { cutRelease } from "../versions/release.js";
import { AgentClient } from "./client.js";
import { type AppOptions, DEFAULT_AGENT, withApp } from "./options.js";
import { Output } from "./output.js";

/** Asks the agent for the app's last production version; undefined when it has deployed none. */
export type LastDeployedProvider = (query: {
  app: string;
  agent: string;
  token: string | undefined;
}) => Promise<DeployedVersion | undefined>;

interface VersionOptions extends AppOptions {
  dryRun?: boolean;
}

/**
 * `skiff version [DIR] [--dry-run]`. The agent lookup is injected: the agent's client provides it;
 * when the agent has deployed nothing (or the default agent is not reachable) the last `vX.Y.Z` tag is the base.
 */
export function versionCommand(deps: { lastDeployed?: LastDeployedProvider; now?: () => Date } = {}) {
  return (program: Command): void => {
    withApp(
      program
        .command("version")
        .description(
          "print the next version from the conventional commits since the last release, and its changelog",
        )
        .argument("[dir]", "the app's directory", ".")
        .option("--dry-run", "only print: do not write CHANGELOG.md, commit or tag"),
    ).action(async (dir: string, options: VersionOptions) => {
      await runVersion(resolve(dir), options, deps);
    });
  };
}

/** The agent's last production version of the app, over its API. */
export const lastDeployedFromAgent: LastDeployedProvider = async ({ app, agent, token }) => {
  const last = await AgentClient.from({ agent, ...(token ? { token } : {}) }).json<{
    version: string | null;
    sha: string | null;
  }>("GET", `/v1/apps/${app}/version`);
  return last.version && last.sha ? { version: last.version, sha: last.sha } : undefined;
};

export const register = versionCommand({ lastDeployed: lastDeployedFromAgent });

async function runVersion(
  dir: string,
  options: VersionOptions,
  deps: { lastDeployed?: LastDeployedProvider; now?: () => Date },
): Promise<void> {
  const out = new Output({ json: options.json });
  await repoRoot(dir);
  const lastDeployed = await askAgent(dir, options, deps.lastDeployed, out);
  const plan = await planRelease(dir, { lastDeployed, date: deps.now?.() ?? new Date() });
  printPlan(out, plan);
  if (options.dryRun || plan.bump === "none") {
    out.result(planJson(plan, undefined));
    return;
  }
  const released = await cutRelease(dir, plan);
  out.step(
    true,
    "changelog",
    undefined,
    released.committed ? `committed ${released.sha.slice(0, 7)}` : "already up to date",
  );
  out.step(
    true,
    "tagged",
    undefined,
    `${released.tag}${released.pushedTo ? `, pushed to ${released.pushedTo}` : ""}`,
  );
  out.result(planJson(plan, released));
}

async function askAgent(
  dir: string,
  options: VersionOptions,
  lastDeployed: LastDeployedProvider | undefined,
  out: Output,
): Promise<DeployedVersion | undefined> {
  const named = options.agent ?? (process.env.SKIFF_AGENT || undefined);
  if (!lastDeployed) return undefined;
  // Like every command, the default agent is asked too; but an unnamed agent that is not there
  // only means counting from tags, as on a laptop without a tunnel to the server.
  if (!named && !options.app && !existsSync(join(dir, CONFIG_FILE))) return undefined;
  const app = options.app ?? appName(dir);
  const query = { app, agent: named ?? DEFAULT_AGENT, token: options.token ?? process.env.SKIFF_TOKEN };
  try {
    return await lastDeployed(query);
  } catch (error) {
    // Only an absent agent: one that answers and refuses (no token here) must not be mistaken for
    // "nothing deployed", or a version already handed out by a push deploy would be handed out again.
    if (named || !(error instanceof AgentUnreachableError)) throw error;
    out.warn(`${error.message}; counting from the last vX.Y.Z tag`);
    return undefined;
  }
}

function appName(dir: string): string {
  if (!existsSync(join(dir, CONFIG_FILE))) {
    throw new UsageError(`no ${CONFIG_FILE} in ${dir}, so no app to ask the agent about`, "pass --app NAME");
  }
  return loadAppConfig(dir).app;
}

function printPlan(out: Output, plan: ReleasePlan): void {
  const from = plan.base
    ? `v${plan.base.version} (${plan.base.source === "agent" ? "last deployed" : `tag ${plan.base.tag}`}, ${plan.base.sha.slice(0, 7)})`
    : "nothing: no deployed version and no vX.Y.Z tag";
  const reverted = plan.reverted.length
    ? ` (${plan.reverted.length} commits left out: reverted in the same range, and their reverts)`
    : "";
  if (plan.bump === "none") {
    out.line(`no changes since ${from}${reverted}; the version stays v${plan.version}`);
    return;
  }
  out.line(
    `${out.paint("bold", `v${plan.version}`)}  ${plan.bump === "initial" ? "first version" : `${plan.bump} bump`} from ${from}`,
  );
  out.line(
    `${plan.commits.length} commit${plan.commits.length === 1 ? "" : "s"} up to ${plan.head.slice(0, 7)}${reverted}`,
  );
  out.line();
  out.line(plan.section.trimEnd());
  out.line();
}

function planJson(plan: ReleasePlan, released: Awaited<ReturnType<typeof cutRelease>> | undefined) {
  return {
    version: plan.version,
    bump: plan.bump,
    base: plan.base ?? null,
    head: plan.head,
    commits: plan.commits.map((c) => ({
      sha: c.sha,
      type: c.conventional.type ?? null,
      scope: c.conventional.scope ?? null,
      subject: c.conventional.subject,
      breaking: c.conventional.breaking,
      author: c.author,
      committedAt: c.committedAt,
    })),
    reverted: plan.reverted.map((c) => ({ sha: c.sha, header: c.conventional.header })),
    changelog: plan.section,
    released: released
      ? {
          tag: released.tag,
          sha: released.sha,
          committed: released.committed,
          pushedTo: released.pushedTo ?? null,
        }
      : null,
  };
}
