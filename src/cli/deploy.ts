import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import type { ReleaseView, StreamEvent } from "../agent/api-types.js";
import { PRODUCTION } from "../environments/names.js";
import { OperationError, UsageError } from "../errors.js";
import { commitInfo, uncommittedPaths } from "../git/repo.js";
import { planRelease, type ReleasePlan } from "../versions/plan.js";
import { prepareRelease, tagRelease } from "../versions/release.js";
import { type AppSource, appName, archive, deployMeta, readAppSource, whoAmI } from "./app-source.js";
import { AgentClient } from "./client.js";
import { type AppOptions, withApp } from "./options.js";
import { firstLine, formatDuration, Output } from "./output.js";
import { printStreamEvent } from "./stream-output.js";

interface DeployFlags extends AppOptions {
  ref: string;
  preflight: boolean;
  env: string;
  tag?: boolean;
  allowDirty?: boolean;
  wait?: boolean;
  image?: string;
}

export function register(program: Command): void {
  withApp(
    program
      .command("deploy")
      .description("ship the committed tree at REV: build, start, health-gate, then switch traffic")
      .argument("[dir]", "the app's directory (with skiff.yml)", ".")
      .option("--ref <rev>", "the commit to deploy", "HEAD")
      .option("--env <name>", "the environment to deploy to (see `environments:` in skiff.yml)", PRODUCTION)
      .option(
        "--tag",
        "also write the version's section to CHANGELOG.md, commit it, tag vX.Y.Z and push the tag",
      )
      .option(
        "--allow-dirty",
        "deploy even though the work tree has uncommitted changes (they are not shipped)",
      )
      .option("--wait", "wait for a running deploy of the app to finish instead of failing")
      .option(
        "--image <ref>",
        "deploy this prebuilt image (from CI, like ghcr.io/me/app:1.2.3) with the committed skiff.yml; no source is sent",
      )
      .option("--no-preflight", "skip the preflight checks (debug leftovers, secrets, env, lint and tests)"),
  ).action(async (dir: string, flags: DeployFlags) => {
    const out = new Output({ json: flags.json });
    let source = await readAppSource(dir, flags.ref);
    const app = appName(source, flags.app);
    if (flags.tag && (flags.env !== PRODUCTION || flags.ref !== "HEAD")) {
      throw new UsageError("--tag releases HEAD to production; it cannot be combined with --env or --ref");
    }
    await refuseDirty(out, source, flags.allowDirty);
    if (flags.preflight) await preflight(out, source, flags.env);
    const client = AgentClient.from(flags);
    const plan = flags.env === PRODUCTION ? await versionPlan(out, client, app, source) : undefined;
    // Nothing to release (no commits, or only commits reverted in the same range): no changelog section
    // and no tag; the deploy keeps the version.
    const tagging = flags.tag && plan && plan.bump !== "none" ? plan : undefined;
    if (flags.tag && plan && !tagging)
      out.step(true, "changelog", undefined, `nothing to release since v${plan.version}; no new tag`);
    if (tagging) {
      const prepared = await prepareRelease(source.root, {
        version: tagging.version,
        section: tagging.section,
      });
      out.step(
        true,
        "changelog",
        undefined,
        prepared.committed ? `committed ${prepared.sha.slice(0, 7)}` : "already up to date",
      );
      source = await readAppSource(dir, prepared.sha);
    }
    const where = flags.env === PRODUCTION ? "" : ` (${flags.env})`;
    const version = plan ? ` v${plan.version}` : "";
    out.line(
      `Deploying ${app}${version}${where} at ${source.commit.sha.slice(0, 7)} (${firstLine(source.commit.message)}) to ${client.url}`,
    );
    const events: StreamEvent[] = [];
    const started = Date.now();
    const meta = {
      ...deployMeta(source, await whoAmI(source.root), plan?.version),
      ...(flags.image ? { image: flags.image } : {}),
    };
    const result = await client.deploy(
      app,
      await archive(source, flags.image ? ["skiff.yml"] : []),
      meta,
      { wait: flags.wait, env: flags.env },
      (event) => {
        events.push(event);
        printStreamEvent(out, event);
      },
    );
    const release = result.release as ReleaseView;
    const tagged = tagging
      ? await tagRelease(source.root, {
          version: tagging.version,
          sha: source.commit.sha,
          section: tagging.section,
        })
      : undefined;
    if (tagged)
      out.step(
        true,
        "tagged",
        undefined,
        `${tagged.tag}${tagged.pushedTo ? `, pushed to ${tagged.pushedTo}` : ""}`,
      );
    out.line(
      `\n${release.id}${release.version ? ` (v${release.version})` : ""} of ${app}${where} is live (${formatDuration(Date.now() - started)} in all)`,
    );
    out.result({ ok: true, release, events, tag: tagged?.tag ?? null });
  });
}

/**
 * The preflight checks on what ships; blocking findings stop the deploy before anything does. For HEAD
 * that is the work tree (clean by then). For another --ref it is that commit's files, extracted apart:
 * debug leftovers and secrets there (env files, lint, tests and git belong to the work tree).
 */
async function preflight(out: Output, source: AppSource, environment: string): Promise<void> {
  const [{ runPreflight }, { printReport }] = await Promise.all([
    import("../preflight/index.js"),
    import("./views/preflight.js"),
  ]);
  const atHead = source.commit.sha === (await commitInfo(source.root, "HEAD")).sha;
  const dir = atHead ? source.dir : await extract(source);
  const report = await runPreflight(dir, {
    forDeploy: true,
    // The dirty-tree rule was applied just before, with its own message.
    allowDirty: true,
    config: source.config,
    environment,
    ...(atHead ? {} : { only: ["debug", "secrets"] as const }),
  }).finally(() => {
    if (!atHead) rmSync(dir, { recursive: true, force: true });
  });
  // Findings name files as in the repository, not in the temporary copy.
  if (!atHead) report.root = source.dir;
  printReport(out, report);
  if (report.blocking) {
    const errors = report.findings.filter((f) => f.severity === "error");
    throw new OperationError(
      `preflight found ${errors.length} blocking problem${errors.length === 1 ? "" : "s"}; nothing was deployed`,
      {
        hint: "fix them, allow a line with a `skiff:allow` comment, or pass --no-preflight",
        // The report above already lists them for a human; JSON carries them in the error.
        details: out.json
          ? errors
              .slice(0, 20)
              .map((f) => `${f.file}${f.line ? `:${f.line}:${f.column}` : ""} ${f.rule}: ${f.message}`)
          : [],
      },
    );
  }
}

async function refuseDirty(out: Output, source: AppSource, allowDirty: boolean | undefined): Promise<void> {
  const dirty = await uncommittedPaths(source.dir);
  if (dirty.length === 0) return;
  if (!allowDirty) {
    throw new OperationError(`the work tree has uncommitted changes: ${summarize(dirty)}`, {
      hint: "commit them, or pass --allow-dirty to deploy the last commit without them",
    });
  }
  out.warn(
    `deploying ${source.commit.sha.slice(0, 7)}; ${dirty.length} uncommitted changes are not included`,
  );
}

/**
 * The next version, counted from what the agent last deployed to production (else the last vX.Y.Z tag).
 * A plan that cannot be made (a shallow clone, say) leaves the version to the agent.
 */
export async function versionPlan(
  out: Output,
  client: AgentClient,
  app: string,
  source: AppSource,
): Promise<ReleasePlan | undefined> {
  const last = await client.json<{ version: string | null; sha: string | null }>(
    "GET",
    `/v1/apps/${app}/version`,
  );
  try {
    return await planRelease(source.root, {
      ref: source.commit.sha,
      lastDeployed: last.version && last.sha ? { version: last.version, sha: last.sha } : undefined,
    });
  } catch (error) {
    out.warn(
      `could not work out the version from the commits (${(error as Error).message}); the agent will bump the patch`,
    );
    return undefined;
  }
}

function summarize(paths: string[]): string {
  const shown = paths.slice(0, 5).join(", ");
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}

/** The files of `source`'s commit, in a temporary directory the caller removes. */
async function extract(source: AppSource): Promise<string> {
  const tar = await import("tar");
  const dir = mkdtempSync(join(tmpdir(), "skiff-preflight-"));
  await pipeline(Readable.from(await archive(source)), tar.x({ cwd: dir }));
  return dir;
}
