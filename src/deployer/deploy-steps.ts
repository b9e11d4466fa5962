import { existsSync } from "node:fs";
import { OperationError } from "../errors.js";
import type { InstanceGroup } from "../runtime/instance-group.js";
import { tailLines } from "../runtime/log-file.js";
import { unpackArtifact } from "./artifact.js";
import { runBuild } from "./build.js";
import { describeGroup, exitText } from "./describe.js";
import type { DeployInput } from "./inputs.js";
import { keyOf, type Run, type Step } from "./run.js";

/** Lines of the release log shown when a build or a health gate fails. */
const LOG_TAIL_LINES = 50;

/**
 * The steps of a deploy, in order; src/deployer/operate.ts runs them, then switches the release live
 * (go-live.ts: switched → drained → finished). Rollback and promote reuse `started` and `healthy`.
 *
 * To add a step (a `released` step running a migration command between `built` and `started`, say):
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
    built,
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

/** The inspected upload into `releases/<app>/<id>/`. */
export function unpacked(upload: string): Step {
  return async (run) => {
    const dir = releaseFiles(run);
    await run.steps.run(
      "unpacked",
      () => unpackArtifact(upload, dir),
      () => dir,
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
 * skiff.yml's `build:` in the release directory, its output in the release log; marked as a task, so
 * an agent restarted after a crash stops a build its predecessor left running.
 */
export const built: Step = async (run) => {
  const { app, id, artifact, config } = run.release;
  const command = config.build;
  if (!command) return;
  const { runtime } = run.parts;
  const build = await run.steps.run(
    "built",
    () =>
      runBuild(
        command,
        releaseFiles(run),
        runtime.environment(config),
        runtime.log(app, artifact),
        run.signal,
        runtime.task("build", app, id, command),
      ),
    (b) => (b.ok ? undefined : exitText(b.code, b.signal)),
  );
  if (!build.ok) throw withLogTail(run, `the build failed (${exitText(build.code, build.signal)})`);
};

/** Starts the release's processes from its files on disk; `what` begins the step's message. */
export function started(what = ""): Step {
  return async (run) => {
    const { app, artifact, config } = run.release;
    if (!existsSync(releaseFiles(run))) {
      throw new OperationError(`the files of ${artifact} were pruned; deploy its commit again`);
    }
    run.group = await run.steps.run(
      "started",
      () => run.parts.runtime.launch(app, artifact, config),
      (g) => `${what}${describeGroup(g)}`,
    );
  };
}

/** A replaced release still running (warm): it goes live again without a start or a gate. */
export function warm(group: InstanceGroup): Step {
  return async (run) => {
    run.group = group;
    run.steps.record("started", true, 0, `${group.artifact} is warm: no start needed`);
  };
}

/** The health gate: every instance passes its check, or the release never gets traffic. */
export const healthy: Step = async (run) => {
  const group = startedGroup(run);
  const gate = await group.gate(run.signal);
  const n = group.instances.length;
  run.steps.record("healthy", gate.ok, gate.ms, gate.ok ? `${n} of ${n} healthy` : gate.reason);
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
