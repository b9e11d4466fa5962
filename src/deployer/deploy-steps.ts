import { existsSync } from "node:fs";
import { join } from "node:path";
import { OperationError } from "../errors.js";
import type { InstanceGroup } from "../runtime/instance-group.js";
import { tailLines } from "../runtime/log-file.js";
import { processEnvironment } from "../runtime/process-env.js";
import { describeLinks, linkStorage } from "../storage/links.js";
import type { TaskKind } from "../store/tasks.js";
import { unpackArtifact } from "./artifact.js";
import { type BuildResult, runBuild } from "./build.js";
import { cacheKey, cachePlan, clearCachedPaths } from "./dependency-cache.js";
import { describeGroup, exitText, formatDuration } from "./describe.js";
import type { DeployInput } from "./inputs.js";
import { linkTree } from "./link-tree.js";
import { keyOf, type Run, type Step } from "./run.js";

/** Lines of the release log shown when a build or a health gate fails. */
const LOG_TAIL_LINES = 50;

/**
 * The steps of a deploy, in order; src/deployer/operate.ts runs them, then switches the release live
 * (go-live.ts: switched → drained → finished). Rollback and promote reuse `started` and `healthy`.
 *
 * To add a step (a step running a check between `built` and `released`, say):
 * 1. add its name to `StepName` in steps.ts, in pipeline order, and to the deploy flow in
 *    docs/architecture.md;
 * 2. write it below as a `Step`: do its work inside `run.steps.run(name, work, describe)` so it is
 *    timed, written to the ledger and streamed to the client; read what it needs from `run`
 *    (`run.release.config`, `releaseFiles(run)`, `run.parts.runtime`…); throw an OperationError to fail
 *    the deploy (what started is stopped, the release is marked failed, the previous one keeps serving);
 *    a step that does not apply to this app (no `build:`) returns without recording anything;
 * 3. put it in the list below where it belongs;
 * 4. test it in deployer.test.ts, which runs the whole pipeline on a fake runtime in milliseconds.
 * The operation checks between steps whether the client went away, so a step needs no check of its own.
 */
export function deploySteps(input: DeployInput): Step[] {
  return [
    routeFree,
    unpacked(input.upload),
    ...(input.check ? [checked(input.check)] : []),
    installed,
    built,
    released,
    started(),
    healthy,
  ];
}

/** Where the run's files are: its own release directory for a deploy, an earlier one's otherwise. */
export function releaseFiles(run: Run): string {
  return run.parts.dataDir.releaseDir(run.release.app, run.release.artifact);
}

/** Refuses hosts another deployment routes, before anything runs (not a recorded step). */
export const routeFree: Step = async (run) => {
  const conflict = run.parts.serving.routeConflict(keyOf(run), run.release.config.hosts);
  if (conflict) throw new OperationError(conflict);
};

/**
 * The inspected upload into `releases/<app>/<id>/`, its `storage:` paths linked to the app's storage
 * (seeded from the upload the first time only).
 */
export function unpacked(upload: string): Step {
  return async (run) => {
    const dir = releaseFiles(run);
    await run.steps.run(
      "unpacked",
      async () => {
        await unpackArtifact(upload, dir);
        return readyFiles(run);
      },
      (links) => (links ? `${dir}; storage: ${links}` : dir),
    );
  };
}

/** Links the run's release directory to its environment's storage; what was linked, for the step's message. */
export async function linkReleaseStorage(run: Run): Promise<string | undefined> {
  const { app, env, config } = run.release;
  if (config.storage.length === 0) return undefined;
  const links = await linkStorage(releaseFiles(run), run.parts.dataDir.storageDir(app, env), config.storage);
  return describeLinks(links);
}

/**
 * The release's files ready for its processes: storage linked, and, when apps are isolated, the
 * release, its storage and the app's HOME owned by the app's user (created on its first deploy).
 */
async function readyFiles(run: Run): Promise<string | undefined> {
  const links = await linkReleaseStorage(run);
  await run.parts.runtime.prepare(run.release);
  return links;
}

/** A promote's own copy of another release's files (hard links), linked to its environment's storage. */
export function copiedFrom(artifact: string): Step {
  return async (run) => {
    const { app } = run.release;
    const from = run.parts.dataDir.releaseDir(app, artifact);
    if (!existsSync(from))
      throw new OperationError(`the files of ${artifact} were pruned; deploy its commit again`);
    await run.steps.run(
      "unpacked",
      async () => {
        const copy = await linkTree(from, releaseFiles(run));
        return { copy, links: await readyFiles(run) };
      },
      ({ copy, links }) =>
        `${artifact}'s build, ${copy.files} files hard-linked${links ? `; storage: ${links}` : ""}`,
    );
  };
}

/** Checks on the unpacked files before anything runs (a push deploy's preflight). */
export function checked(check: NonNullable<DeployInput["check"]>): Step {
  return async (run) => {
    const result = await run.steps.run(
      "checked",
      () => check(releaseFiles(run), run.release.config),
      (r) => r.message,
    );
    if (!result.ok) throw new OperationError(result.message, { details: result.details });
  };
}

/**
 * skiff.yml's `install:`, or, when its cache key files are byte-identical to those of the release
 * serving this deployment, that release's installed paths copied (hard links) instead: `installed
 * (cached)`. The key goes to the ledger with the step, for the next deploy to compare.
 */
export const installed: Step = async (run) => {
  const { app, id, config } = run.release;
  const command = config.install;
  if (!command) return;
  const dir = releaseFiles(run);
  const plan = cachePlan(dir, config);
  const key = await cacheKey(dir, command, plan);
  const started = Date.now();
  const previous = key === undefined ? undefined : cachedRelease(run, key, plan.paths);
  if (previous) {
    await clearCachedPaths(dir, plan.paths);
    let files = 0;
    for (const path of plan.paths) {
      if (existsSync(join(previous.dir, path)))
        files += (await linkTree(join(previous.dir, path), join(dir, path))).files;
    }
    const what =
      plan.paths.length > 0
        ? `${plan.paths.join(", ")} (${files} files) from ${previous.release}`
        : `nothing to copy`;
    run.steps.record(
      "installed",
      true,
      Date.now() - started,
      `cached: ${plan.keyFiles.join(", ")} unchanged; ${what}`,
      {
        cacheKey: key,
      },
    );
    run.parts.logger.info(
      { app, release: id, from: previous.release },
      "install skipped: cache key unchanged",
    );
    return;
  }
  const result = await runCommand(run, command, "install");
  const why =
    key === undefined
      ? `no cache key file (${plan.keyFiles.length > 0 ? plan.keyFiles.join(", ") : "no lockfile"}): ran \`${command}\``
      : `ran \`${command}\``;
  run.steps.record(
    "installed",
    result.ok,
    Date.now() - started,
    result.ok ? why : exitText(result.code, result.signal),
    result.ok && key !== undefined ? { cacheKey: key } : undefined,
  );
  if (!result.ok) throw withLogTail(run, `the install failed (${exitText(result.code, result.signal)})`);
};

/** The release serving this deployment, when its install had the same key and its files are still there. */
function cachedRelease(run: Run, key: string, paths: string[]): { release: string; dir: string } | undefined {
  const { store, dataDir } = run.parts;
  const { app, env } = run.release;
  const live = store.releases.live(app, env);
  if (!live) return undefined;
  const installedStep = store.events
    .list(app, { release: live.artifact })
    .findLast((e) => e.kind === "step" && e.name === "installed" && e.ok);
  if ((installedStep?.data as { cacheKey?: string } | null)?.cacheKey !== key) return undefined;
  const dir = dataDir.releaseDir(app, live.artifact);
  if (!paths.every((path) => existsSync(join(dir, path)))) return undefined;
  return { release: live.artifact, dir };
}

/**
 * skiff.yml's `build:` in the release directory, its output in the release log; marked as a task (like
 * the install and the release command), so an agent restarted after a crash stops a build its
 * predecessor left running.
 */
export const built: Step = async (run) => {
  const command = run.release.config.build;
  if (!command) return;
  const build = await run.steps.run(
    "built",
    () => runCommand(run, command, "build"),
    (b) => (b.ok ? undefined : exitText(b.code, b.signal)),
  );
  if (!build.ok) throw withLogTail(run, `the build failed (${exitText(build.code, build.signal)})`);
};

/**
 * skiff.yml's `release:` (migrations), once per deploy and promote, after the build and before anything
 * starts, in the new release's directory with its environment, secrets and storage. Each database in
 * `backups:` is backed up first; a failed backup fails the deploy before the command runs. A non-zero
 * exit or `release_timeout` fails the deploy: nothing was started or switched. A rollback does not run
 * it: migrations go forward only, and the backup taken here is the way back (skiff restore).
 */
export const released: Step = async (run) => {
  const { app, env, id, config } = run.release;
  const command = config.release;
  if (!command) return;
  const started = Date.now();
  let backups: string[] = [];
  try {
    if (config.backups.length > 0 && run.parts.backupBeforeRelease) {
      backups = (await run.parts.backupBeforeRelease(app, env, id)).map((b) => b.id);
    }
  } catch (error) {
    run.steps.record("released", false, Date.now() - started, `backup before the release command failed`);
    throw error;
  }
  const result = await runCommand(run, command, "release", config.releaseTimeoutMs);
  const backedUp = backups.length > 0 ? `backup ${backups.join(", ")}, then ` : "";
  const how = result.timedOut
    ? `timed out after ${formatDuration(config.releaseTimeoutMs)}`
    : exitText(result.code, result.signal);
  run.steps.record(
    "released",
    result.ok,
    Date.now() - started,
    result.ok ? `${backedUp}\`${command}\`` : `${backedUp}\`${command}\` ${how}`,
  );
  if (!result.ok) {
    const restore = backups.length > 0 ? `; its data before: skiff restore ${backups[0]} --app ${app}` : "";
    throw withLogTail(run, `the release command failed (${how})${restore}`);
  }
};

/** One of skiff.yml's run-to-the-end commands, with the release's environment, into the release log. */
function runCommand(run: Run, command: string, label: TaskKind, timeoutMs?: number): Promise<BuildResult> {
  const { runtime } = run.parts;
  const { app, id, artifact } = run.release;
  const environment = runtime.environment(run.release);
  return runBuild(
    command,
    releaseFiles(run),
    processEnvironment(environment, { process: label }),
    runtime.log(app, artifact),
    run.signal,
    {
      label,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      // Marked, so an agent restarted after a crash stops what this one left running.
      marker: runtime.task(label, app, id, command),
      user: environment.user,
    },
  );
}

/**
 * Starts the release's processes (every type) from its files on disk; `what` begins the step's message.
 * Its storage links are checked first (a no-op for a directory linked when it was deployed).
 */
export function started(what = ""): Step {
  return async (run) => {
    const { artifact } = run.release;
    if (!existsSync(releaseFiles(run))) {
      throw new OperationError(`the files of ${artifact} were pruned; deploy its commit again`);
    }
    run.group = await run.steps.run(
      "started",
      async () => {
        await readyFiles(run);
        return run.parts.runtime.launch(run.release);
      },
      (g) => `${what}${describeGroup(g)}`,
    );
  };
}

/**
 * A replaced release still running (warm): its web instances go live again without a start or a gate;
 * its other process types, stopped when it was replaced, start again (supervised from the switch).
 */
export function warm(group: InstanceGroup): Step {
  return async (run) => {
    run.group = group;
    const others = group.startOthers();
    const also = others > 0 ? `; ${others} other process${others === 1 ? "" : "es"} started again` : "";
    run.steps.record("started", true, 0, `${group.artifact} is warm: no start needed${also}`);
  };
}

/** The health gate: every instance passes its check, or the release never gets traffic. */
export const healthy: Step = async (run) => {
  const group = startedGroup(run);
  const gate = await group.gate(run.signal);
  const n = group.instances.length;
  const others = group.others.length > 0 ? ` (${group.web.length} web, ${group.others.length} up)` : "";
  run.steps.record("healthy", gate.ok, gate.ms, gate.ok ? `${n} of ${n} healthy${others}` : gate.reason);
  if (!gate.ok) throw withLogTail(run, run.signal.aborted ? "cancelled by the client" : gate.reason);
};

export function startedGroup(run: Run): InstanceGroup {
  if (!run.group) throw new Error(`${run.release.id}: no step started its processes`);
  return run.group;
}

/** A failure whose reason is in the release log: its last lines travel with the error. */
function withLogTail(run: Run, reason: string): OperationError {
  const { app, artifact } = run.release;
  return new OperationError(reason, {
    details: tailLines(run.parts.dataDir.logFile(app, artifact), LOG_TAIL_LINES),
  });
}
