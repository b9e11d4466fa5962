import type { Command } from "commander";
import type { ReleaseView, StreamEvent } from "../agent/api-types.js";
import { OperationError } from "../errors.js";
import { uncommittedPaths } from "../git/repo.js";
import { appName, archive, readAppSource, whoAmI } from "./app-source.js";
import { AgentClient } from "./client.js";
import { type AppOptions, withApp } from "./options.js";
import { formatDuration, Output } from "./output.js";
import { printStreamEvent } from "./stream-output.js";

interface DeployFlags extends AppOptions {
  ref: string;
  allowDirty?: boolean;
  wait?: boolean;
}

export function register(program: Command): void {
  withApp(
    program
      .command("deploy")
      .description("ship the committed tree at REV: build, start, health-gate, then switch traffic")
      .argument("[dir]", "the app's directory (with skiff.yml)", ".")
      .option("--ref <rev>", "the commit to deploy", "HEAD")
      .option(
        "--allow-dirty",
        "deploy even though the work tree has uncommitted changes (they are not shipped)",
      )
      .option("--wait", "wait for a running deploy of the app to finish instead of failing"),
  ).action(async (dir: string, flags: DeployFlags) => {
    const out = new Output({ json: flags.json });
    const source = await readAppSource(dir, flags.ref);
    const app = appName(source, flags.app);
    const dirty = await uncommittedPaths(source.dir);
    if (dirty.length > 0 && !flags.allowDirty) {
      throw new OperationError(`the work tree has uncommitted changes: ${summarize(dirty)}`, {
        hint: "commit them, or pass --allow-dirty to deploy the last commit without them",
      });
    }
    if (dirty.length > 0)
      out.warn(
        `deploying ${source.commit.sha.slice(0, 7)}; ${dirty.length} uncommitted changes are not included`,
      );
    const client = AgentClient.from(flags);
    const tarball = await archive(source);
    const meta = {
      commit: {
        sha: source.commit.sha,
        message: source.commit.message,
        author: source.commit.author,
        committedAt: source.commit.committedAt,
      },
      deployedBy: await whoAmI(source.root),
    };
    out.line(
      `Deploying ${app} at ${source.commit.sha.slice(0, 7)} (${firstLine(source.commit.message)}) to ${client.url}`,
    );
    const events: StreamEvent[] = [];
    const started = Date.now();
    const result = await client.deploy(app, tarball, meta, Boolean(flags.wait), (event) => {
      events.push(event);
      printStreamEvent(out, event);
    });
    const release = result.release as ReleaseView;
    out.line(`\n${release.id} of ${app} is live (${formatDuration(Date.now() - started)} in all)`);
    out.result({ ok: true, release, events });
  });
}

function summarize(paths: string[]): string {
  const shown = paths.slice(0, 5).join(", ");
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}

export function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
