import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import type { Logger } from "pino";
import type { RunEvent } from "../agent/api-types.js";
import { HttpError } from "../agent/http-error.js";
import { EXIT } from "../errors.js";
import { type OneOff, runOneOff } from "../runtime/one-off.js";
import { processEnvironment } from "../runtime/process-env.js";
import { stopGroup } from "../runtime/process-group.js";
import type { Runtime } from "../runtime/runtime.js";
import type { DataDir } from "../store/data-dir.js";
import type { RunEnding } from "../store/runs.js";
import type { Store } from "../store/store.js";
import { redactArgv } from "./redact.js";

/** How long a run still going when the agent stops gets between SIGTERM and SIGKILL. */
const AGENT_STOP_GRACE_MS = 2_000;

export interface OneOffRunsOptions {
  store: Store;
  dataDir: DataDir;
  runtime: Pick<Runtime, "environment" | "prepare" | "task" | "log">;
  logger: Logger;
}

export interface RunInput {
  app: string;
  env: string;
  argv: string[];
  requestedBy: string;
}

/**
 * One-off commands (`skiff run`): each in the live release's directory, with the environment, secrets,
 * storage and user its release command would get (Runtime.environment), marked as a task so an agent
 * restarted after a crash stops it, and recorded in the ledger (`runs`) with its argv stripped of the
 * app's secret values. Output goes to the caller only: it is the user's, not the release log's.
 */
export class OneOffRuns {
  private readonly active = new Map<string, OneOff>();

  constructor(private readonly options: OneOffRunsOptions) {}

  /**
   * Checks there is something to run in (throws a 404 before any output otherwise), then starts the
   * command and resolves once it has ended, after `emit` has seen `started`, the output and `exit`.
   * Aborting `signal` (the client went away or pressed Ctrl-C) interrupts it (src/runtime/one-off.ts).
   */
  async run(input: RunInput, emit: (event: RunEvent) => void, signal: AbortSignal): Promise<void> {
    const { store, dataDir, runtime, logger } = this.options;
    const { app, env, argv, requestedBy } = input;
    const release = store.releases.live(app, env);
    if (!release)
      throw HttpError.notFound(
        `${app} has no live release${env === "production" ? "" : ` in ${env}`} to run in`,
        EXIT.failed,
      );
    const spec = { app, env, artifact: release.artifact, config: release.config };
    const cwd = dataDir.releaseDir(app, release.artifact);
    if (!existsSync(cwd)) throw HttpError.notFound(`the files of ${release.artifact} are gone`, EXIT.failed);
    await runtime.prepare(spec);
    const environment = runtime.environment(spec);
    const secrets = Object.fromEntries(
      release.config.secrets.flatMap((name) => {
        const value = environment.vars[name];
        return value === undefined ? [] : [[name, value]];
      }),
    );
    const recorded = redactArgv(argv, secrets);
    const id = `run-${randomBytes(6).toString("hex")}`;
    const runAs = environment.user?.name ?? userInfo().username;
    const startedAt = Date.now();
    store.runs.add({
      id,
      app,
      env,
      release: release.artifact,
      argv: recorded,
      requestedBy,
      runAs,
      startedAt,
    });
    const marker = runtime.task("run", app, release.artifact, recorded.join(" "));
    const oneOff = runOneOff({
      argv,
      cwd,
      env: processEnvironment(environment, { process: "run" }),
      user: environment.user,
      marker,
      signal,
      onOutput: (stream, chunk) => emit({ type: "output", stream, data: chunk.toString("base64") }),
    });
    this.active.set(id, oneOff);
    if (oneOff.pid !== undefined) store.runs.setPid(id, oneOff.pid);
    const where = { app, env, release: release.artifact, run: id, argv: recorded, requestedBy, runAs };
    logger.info({ ...where, pid: oneOff.pid }, `one-off command started by ${requestedBy}`);
    runtime.log(app, release.artifact).note(`run ${id} by ${requestedBy} as ${runAs}: ${recorded.join(" ")}`);
    emit({ type: "started", id, pid: oneOff.pid ?? null, app, env, release: release.artifact, user: runAs });

    const result = await oneOff.done;
    this.active.delete(id);
    const at = Date.now();
    const ending: RunEnding = result.error ? "not-started" : result.interrupted ? "interrupted" : "exited";
    store.runs.finish(id, { at, exitCode: result.exitCode, signal: result.signal, ending });
    logger.info(
      { ...where, exitCode: result.exitCode, ending, durationMs: at - startedAt },
      "one-off command ended",
    );
    emit({
      type: "exit",
      id,
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: at - startedAt,
      interrupted: result.interrupted,
      ...(result.error ? { error: result.error } : {}),
    });
  }

  /** Stops the runs still going (the agent is stopping) and waits until each is recorded as ended. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.active.values()].map(async ({ pid, done }) => {
        if (pid !== undefined) await stopGroup(pid, AGENT_STOP_GRACE_MS);
        await done;
      }),
    );
  }
}
