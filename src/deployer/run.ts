import type { Logger } from "pino";
import { deploymentKey } from "../environments/names.js";
import type { InstanceGroup } from "../runtime/instance-group.js";
import type { Runtime } from "../runtime/runtime.js";
import type { DataDir } from "../store/data-dir.js";
import type { Release } from "../store/releases.js";
import type { Store } from "../store/store.js";
import type { DeployContainers } from "./container-steps.js";
import type { DeployOutcome } from "./inputs.js";
import type { Serving } from "./serving.js";
import type { Steps } from "./steps.js";

/** What the deployer's steps may use of the runtime: tests give them a fake that spawns nothing. */
export type DeployRuntime = Pick<
  Runtime,
  "launch" | "log" | "environment" | "prepare" | "retire" | "closeLog" | "task" | "claim" | "stopUnclaimed"
>;

/** The parts of the agent a deploy works with. */
export interface DeployerParts {
  store: Store;
  dataDir: DataDir;
  runtime: DeployRuntime;
  serving: Serving;
  logger: Logger;
  /** Tells whoever listens (monitoring) that a release went live or an operation failed. */
  outcome: (outcome: DeployOutcome) => void;
  /**
   * Backs up the deployment's databases (`backups:`) before its release command, recorded against the
   * release; throws when one is not good. Injected by the agent (src/backups/), absent in tests.
   */
  backupBeforeRelease?: BackupBeforeRelease;
  /** The Docker engine, for container apps and accessories (container-steps.ts); absent: they are refused. */
  containers?: DeployContainers;
}

export type BackupBeforeRelease = (
  app: string,
  env: string,
  release: string,
) => Promise<Array<{ id: string }>>;

/**
 * One operation in progress: a deploy, rollback or promote (or a live release brought back after a
 * restart). Its steps read it and fill it in; src/deployer/operate.ts runs them in order and, if one
 * fails, stops what they started.
 */
export interface Run {
  readonly parts: DeployerParts;
  /** The release this operation makes live. Its `artifact` names the files it runs, its `config` how. */
  readonly release: Release;
  readonly steps: Steps;
  /** Aborted when the client goes away (before the switch) or the agent stops. */
  readonly signal: AbortSignal;
  /** The processes this operation started (or took from the warm set); set by the `started` step. */
  group: InstanceGroup | undefined;
  /** What its accessories give the app (`app_env`), once they were checked (container-steps.ts). */
  extraEnv?: Record<string, string>;
}

/** One step of an operation. It records itself through `run.steps` and throws to fail the operation. */
export type Step = (run: Run) => Promise<void>;

/** The deployment (one app in one environment) a run is for. */
export function keyOf(run: Run): string {
  return deploymentKey(run.release.app, run.release.env);
}

export function newRun(parts: DeployerParts, release: Release, steps: Steps, signal: AbortSignal): Run {
  return { parts, release, steps, signal, group: undefined };
}
