import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import type { Command } from "commander";
import type { ReleaseView } from "../agent/api-types.js";
import { PRODUCTION } from "../environments/names.js";
import { readAppSource } from "./app-source.js";
import { AgentClient } from "./client.js";
import { versionPlan } from "./deploy.js";
import { runOperation } from "./operation.js";
import { type AppOptions, withApp } from "./options.js";
import { formatDuration, Output } from "./output.js";
import { targetApp } from "./target-app.js";

export function register(program: Command): void {
  withApp(
    program
      .command("promote")
      .description("ship exactly what runs in one environment to another: the same build, no rebuild")
      .argument("<from>", "the environment whose live release to promote, like staging")
      .argument("<to>", "the environment to promote it to, like production")
      .option("--wait", "wait for a running deploy of the app to finish instead of failing"),
  ).action(async (from: string, to: string, flags: AppOptions & { wait?: boolean }) => {
    const out = new Output({ json: flags.json });
    const app = await targetApp(flags.app);
    const client = AgentClient.from(flags);
    const version = to === PRODUCTION ? await promotedVersion(out, client, app, from) : null;
    const started = Date.now();
    const { release, events } = await runOperation(out, client, `/v1/apps/${app}/promote`, {
      from,
      to,
      version,
      requestedBy: userInfo().username,
      wait: Boolean(flags.wait),
    });
    out.line(
      `\n${release.id}${release.version ? ` (v${release.version})` : ""} of ${app} in ${to} runs the build of ${release.artifact} (${formatDuration(Date.now() - started)})`,
    );
    out.result({ ok: true, release, events });
  });
}

/** In the app's repo, the version the promoted commit earns from its commits; else the agent bumps the patch. */
async function promotedVersion(
  out: Output,
  client: AgentClient,
  app: string,
  from: string,
): Promise<string | null> {
  if (!existsSync("skiff.yml")) return null;
  const { releases } = await client.json<{ releases: ReleaseView[] }>(
    "GET",
    `/v1/apps/${app}/releases?limit=1000`,
  );
  const source = releases.find((r) => r.env === from && r.live);
  if (!source?.commit) return null;
  // The promoted commit may not be in this clone; then the agent decides.
  const appSource = await readAppSource(".", source.commit.sha).catch(() => undefined);
  if (!appSource) return null;
  return (await versionPlan(out, client, app, appSource))?.version ?? null;
}
