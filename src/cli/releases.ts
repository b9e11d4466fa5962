import type { Command } from "commander";
import type { ReleaseListItem, ReleaseListView, ReleaseView } from "../agent/api-types.js";
import { AgentClient } from "./client.js";
import { type AppOptions, wholeNumber, withApp } from "./options.js";
import { firstLine, formatDuration, formatTime, Output } from "./output.js";
import { targetApp } from "./target-app.js";

export function register(program: Command): void {
  withApp(
    program
      .command("releases")
      .description("what was deployed when, how long it took, and how it ended")
      .option("--limit <n>", "how many releases to show, newest first", wholeNumber("--limit", 1), 20)
      .option("--env <name>", "only this environment (production, staging, preview:<branch>…)"),
  ).action(async (flags: AppOptions & { limit: number; env?: string }) => {
    const out = new Output({ json: flags.json });
    const app = await targetApp(flags.app);
    const client = AgentClient.from(flags);
    const body = await client.json<ReleaseListView>(
      "GET",
      `/v1/apps/${app}/releases?limit=${flags.env ? 1000 : flags.limit}`,
    );
    if (flags.env) body.releases = body.releases.filter((r) => r.env === flags.env).slice(0, flags.limit);
    out.result(body);
    if (body.releases.length === 0) {
      out.line(`no releases of ${app} yet: run \`skiff deploy\``);
      return;
    }
    // Last, and only for an app with backups: the outcome column stays where scripts and eyes expect it.
    const withBackups = body.releases.some((r) => r.backups.length > 0);
    out.table(
      [
        "",
        "RELEASE",
        "VERSION",
        "ENV",
        "COMMIT",
        "MESSAGE",
        "AUTHOR",
        "COMMITTED",
        "STARTED",
        "FINISHED",
        "DURATION",
        "LEAD TIME",
        "TRIGGER",
        "OUTCOME",
        ...(withBackups ? ["BACKUPS"] : []),
      ],
      body.releases.map((r) => [
        r.live ? out.paint("green", "●") : " ",
        r.artifact !== r.id ? `${r.id} (${r.artifact})` : r.id,
        r.version ? `v${r.version}` : "-",
        r.env,
        r.commit?.sha.slice(0, 7) ?? "-",
        firstLine(r.commit?.message ?? ""),
        r.commit?.author ?? "-",
        r.commit?.time ? formatTime(r.commit.time) : "-",
        formatTime(r.startedAt),
        finishedTime(r),
        r.durationMs === null ? "-" : formatDuration(r.durationMs),
        r.leadTimeMs === null ? "-" : formatDuration(r.leadTimeMs),
        r.trigger,
        outcome(out, r),
        ...(withBackups ? [backupsOf(r)] : []),
      ]),
    );
  });
}

/** The backups taken before its release command: what `skiff restore <id>` brings back. */
function backupsOf(release: ReleaseListItem): string {
  if (release.backups.length === 0) return "-";
  return release.backups.map((b) => (b.status === "good" ? b.id : `${b.id} ${b.status}`)).join(",");
}

/** Just the time of day when the release finished on the day it started, as most do. */
function finishedTime(release: ReleaseView): string {
  const finished = formatTime(release.finishedAt);
  const started = formatTime(release.startedAt);
  return finished.slice(0, 11) === started.slice(0, 11) ? finished.slice(11) : finished;
}

function outcome(out: Output, release: ReleaseListItem): string {
  const text =
    release.reason && release.status !== "live" ? `${release.status}: ${release.reason}` : release.status;
  const color =
    release.status === "live"
      ? "green"
      : release.status === "failed" || release.status === "rolled-back"
        ? "red"
        : "dim";
  const drain = drainNote(release);
  return (
    out.paint(color, text.length > 80 ? `${text.slice(0, 77)}...` : text) +
    (drain ? out.paint(release.drain?.state === "cut-off" ? "red" : "dim", ` · ${drain}`) : "")
  );
}

/**
 * How the replaced release drained, where the command that made this release did not show it: a
 * rollback answers at the switch, so its drain ends after; any drain that cut requests off.
 */
function drainNote(release: ReleaseListItem): string | undefined {
  const { drain } = release;
  if (!drain || (drain.state === "drained" && !release.trigger.includes("rollback"))) return undefined;
  if (drain.state === "draining") return `${release.rollbackOf ?? "the replaced release"} draining`;
  return drain.message ?? drain.state;
}
