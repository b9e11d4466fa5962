/**
 * The request and response shapes of the agent's HTTP API, shared by the agent and the CLI.
 * docs/cli.md documents them; keep both in step.
 */
import type { OperationEvent } from "../deployer/steps.js";
import type { ErrorBody } from "../error-body.js";
import type { ReleaseStatus, Trigger } from "../store/releases.js";

export const API_PREFIX = "/v1";

export interface CommitView {
  sha: string;
  message: string;
  author: string;
  /** Null when unknown (a push whose commit could not be read). */
  time: string | null;
}

export interface ReleaseView {
  app: string;
  id: string;
  env: string;
  /** The release whose files this one runs (itself for a deploy, an earlier one for a rollback). */
  artifact: string;
  trigger: Trigger;
  status: ReleaseStatus;
  live: boolean;
  reason: string | null;
  /** The semantic version (production releases), like "1.4.2". */
  version: string | null;
  commit: CommitView | null;
  deployedBy: string | null;
  rollbackOf: string | null;
  startedAt: string;
  finishedAt: string | null;
  liveAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  /** Lead time for the change: commit time → live. */
  leadTimeMs: number | null;
}

/** A backup taken for a release, before its release command (`skiff releases`). */
export interface ReleaseBackupView {
  id: string;
  /** The database's name in `backups:`. */
  database: string;
  status: string;
}

/**
 * How the release a release replaced drained: its in-flight requests finishing (up to drain_timeout)
 * after the switch. A rollback answers before this ends, so `skiff releases` is where it shows.
 */
export interface DrainView {
  /** `draining` while it goes on in the background, then `drained`, or `cut-off` when requests were cut off. */
  state: "draining" | "drained" | "cut-off";
  /** The `drained` step's message: which release, how it ended (`r2: all in-flight requests finished…`). */
  message: string | null;
  /** When it ended, and how long it took (null while draining). */
  at: string | null;
  durationMs: number | null;
}

/**
 * A release as `GET /v1/apps/:app/releases` lists it: with how the release it replaced drained and
 * the backups taken before its release command.
 */
export interface ReleaseListItem extends ReleaseView {
  /** Null when it replaced nothing, or before its drain began (a deploy still running its steps). */
  drain: DrainView | null;
  backups: ReleaseBackupView[];
}

/** `GET /v1/apps/:app/releases`. */
export interface ReleaseListView {
  app: string;
  releases: ReleaseListItem[];
}

export interface InstanceView {
  /** The process type: `web`, or another such as `worker`. */
  process: string;
  /** Its index among the instances of its type. */
  index: number;
  pid: number | null;
  /** Web instances only. */
  port: number | null;
  state: string;
  healthy: boolean;
  restarts: number;
  startedAt: string | null;
  uptimeMs: number | null;
}

export interface AppStatusView {
  app: string;
  env: string;
  hosts: string[];
  live: ReleaseView | null;
  /** Every instance of the live release, web first, then each other process type. */
  instances: InstanceView[];
  warm: Array<{ release: string; until: string; instances: InstanceView[] }>;
  /** The deployment's persistent storage (SKIFF_STORAGE_DIR) and its size on disk; null before any deploy. */
  storage: { dir: string; bytes: number } | null;
  /** The system user its processes run as when apps are isolated; null when they run as the agent's. */
  user: string | null;
  traffic: { requests: number; errors5xx: number; failed: number; inflight: number } | null;
  deploying: { operation: string; who: string; since: string } | null;
}

export interface StatusView {
  agent: {
    version: string;
    pid: number;
    startedAt: string;
    uptimeMs: number;
    dataDir: string;
    proxy: string;
    /** Whether apps run as their own users, and why (src/isolation/policy.ts). */
    isolation: { enabled: boolean; reason: string };
  };
  apps: AppStatusView[];
}

export type { ErrorBody } from "../error-body.js";

/** The last line of a deploy or rollback stream. */
export interface ResultEvent {
  type: "result";
  ok: boolean;
  release: ReleaseView | null;
  error?: ErrorBody["error"];
}

export type StreamEvent = OperationEvent | ResultEvent;

/** Deploy metadata travels in this header (base64url JSON) so the body can be the raw tarball. */
export const DEPLOY_META_HEADER = "x-skiff-deploy";

export interface DeployMeta {
  commit: { sha: string; message: string; author: string; committedAt: string } | null;
  deployedBy: string | null;
  /** The version the CLI worked out from the commits (production deploys). */
  version?: string | null;
}

/** `POST /v1/apps/:app/runs`: a one-off command in the live release (`skiff run`). */
export interface RunRequest {
  /** The program and its arguments, run as given (no shell). */
  argv: string[];
  env?: string;
  requestedBy?: string;
}

/**
 * The NDJSON lines of a run: `started` once the process is running, `output` as it writes (the bytes
 * base64, so binary output and split UTF-8 survive), and `exit` last.
 */
export type RunEvent =
  | {
      type: "started";
      id: string;
      pid: number | null;
      app: string;
      env: string;
      release: string;
      user: string;
    }
  | { type: "output"; stream: "stdout" | "stderr"; data: string }
  | {
      type: "exit";
      id: string;
      /** What a shell would report: the code, 128 + a signal's number, 126/127 when it could not start. */
      exitCode: number;
      signal: string | null;
      durationMs: number;
      /** Why it could not start, when it did not. */
      error?: string;
      interrupted: boolean;
    };

/** One recorded run (`skiff runs`). */
export interface RunView {
  id: string;
  app: string;
  env: string;
  release: string;
  argv: string[];
  requestedBy: string;
  /** The system user the process ran as. */
  runAs: string;
  pid: number | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
  signal: string | null;
  /** exited, interrupted (the client left or pressed Ctrl-C), not-started, agent-stopped; null while running. */
  ending: string | null;
}
