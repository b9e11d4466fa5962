import type { AppConfig } from "../config/schema.js";
import type { CommitRecord, Release, Trigger } from "../store/releases.js";

/** What a deploy needs, once admitted (src/agent/admission.ts): the upload checked, the config resolved. */
export interface DeployInput {
  app: string;
  /** `production`, a configured environment, or `preview:<slug>`. */
  env: string;
  /** skiff.yml as uploaded, every environment included: registered as the app's config. */
  registered: AppConfig;
  /** What this deployment runs with: `registered` resolved for `env` (or a preview's). */
  config: AppConfig;
  /**
   * `skiff deploy --image REF`: a prebuilt image to pull and run instead of building or pulling what
   * skiff.yml says (the upload then holds skiff.yml only).
   */
  image?: string;
  /** The inspected tarball; from here on the deployer's, deleted when the deploy ends. */
  upload: string;
  uploadBytes: number;
  uploadFiles: number;
  uploadMs: number;
  commit: CommitRecord | null;
  deployedBy: string | null;
  trigger: Extract<Trigger, "cli" | "webhook">;
  /** The version worked out from the commits; production releases without one get a patch bump. */
  version?: string | null;
  wait: boolean;
  /** Checks on the unpacked files before anything runs (push deploys run preflight here). */
  check?: (dir: string, config: AppConfig) => Promise<CheckResult>;
}

export interface CheckResult {
  ok: boolean;
  /** One line: what was checked and found. */
  message: string;
  /** The blocking findings, one per line. */
  details: string[];
}

export interface RollbackInput {
  app: string;
  env?: string;
  /** A release id (r3) or a version (v1.4.2). */
  to?: string;
  requestedBy: string | null;
  trigger?: Extract<Trigger, "rollback" | "auto-rollback">;
  reason?: string;
  wait: boolean;
}

export interface PromoteInput {
  app: string;
  from: string;
  to: string;
  requestedBy: string | null;
  version?: string | null;
  wait: boolean;
}

/** What the rest of the agent hears from the deployer: a release went live, or an operation failed. */
export type DeployOutcome =
  | { type: "live"; release: Release; previous: string | undefined }
  | { type: "failed"; release: Release; reason: string };
