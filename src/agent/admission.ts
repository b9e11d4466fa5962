import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { backupSecretProblems } from "../backups/admission.js";
import type { AppConfig } from "../config/schema.js";
import { inspectAppArtifact, UNPACKED_PER_UPLOADED_BYTE } from "../deployer/artifact.js";
import type { DeployInput } from "../deployer/inputs.js";
import { ConfigError } from "../errors.js";
import { missingSecrets } from "../secrets/app-secrets.js";
import type { SecretLookup } from "../secrets/secret-store.js";
import type { DataDir } from "../store/data-dir.js";
import { saveUpload } from "./upload.js";

export interface AdmissionOptions {
  dataDir: DataDir;
  /** The largest tarball the agent takes; it may unpack to UNPACKED_PER_UPLOADED_BYTE times that. */
  maxUploadBytes: number;
  /** Secret values: the agent's secret store, then its environment. */
  secrets: SecretLookup;
  /** Problems with a config's alert channels (a secret's variable not set), each naming the field. */
  channelProblems: (config: AppConfig) => string[];
}

/** Where a deploy goes and what it runs there: an environment, or a branch's preview. */
export interface DeployTarget {
  env: string;
  config: AppConfig;
}

/** The rest of a deploy, known to the caller: where it comes from and how it is run. */
export type DeployDetails = Pick<
  DeployInput,
  "commit" | "deployedBy" | "trigger" | "version" | "wait" | "check" | "image"
>;

export interface DeployRequest {
  app: string;
  /** The tarball: a request body as it streams in (the CLI), or the bytes of `git archive` (a push). */
  tarball: ReadableStream<Uint8Array> | Uint8Array | null;
  /**
   * Where it deploys, decided from the uploaded skiff.yml (it may throw: an unknown environment);
   * undefined when there is nothing to deploy (a push to a branch whose previews are off).
   */
  target: (registered: AppConfig) => DeployTarget | undefined;
  /** Runs once every check passed, just before the hand-off: may do I/O (plan the version, trim previews). */
  details: (target: DeployTarget, registered: AppConfig) => Promise<DeployDetails> | DeployDetails;
}

/**
 * Admits a deploy, from the CLI's upload and from a push alike. In order: the tarball is saved to
 * `uploads/` (refused past the size limit), inspected before anything touches the disk (only safe
 * paths, a valid skiff.yml naming the app), its target resolved, and the secrets and alert channels
 * that target needs checked. Admission owns the upload until it returns: every refusal, and a request
 * with nothing to deploy (undefined), deletes it. The DeployInput it returns hands the upload on:
 * give it to `Deployer.deploy` at once, which deletes it when the deploy ends.
 */
export async function admitDeploy(
  options: AdmissionOptions,
  request: DeployRequest,
): Promise<DeployInput | undefined> {
  const upload = options.dataDir.upload(randomBytes(8).toString("hex"));
  const received = Date.now();
  try {
    const bytes = await saveUpload(request.tarball, upload, options.maxUploadBytes);
    const uploadMs = Date.now() - received;
    const { summary, config } = await inspectAppArtifact(
      upload,
      request.app,
      options.maxUploadBytes * UNPACKED_PER_UPLOADED_BYTE,
    );
    const target = request.target(config);
    if (!target) {
      await rm(upload, { force: true });
      return undefined;
    }
    const problems = [
      ...missingSecrets(target.config.secrets, options.secrets),
      ...options.channelProblems(target.config),
      ...backupSecretProblems(target.config, options.secrets),
    ];
    if (problems.length > 0) throw new ConfigError("skiff.yml (uploaded)", problems);
    return {
      app: request.app,
      env: target.env,
      registered: config,
      config: target.config,
      upload,
      uploadBytes: bytes,
      uploadFiles: summary.files,
      uploadMs,
      ...(await request.details(target, config)),
    };
  } catch (error) {
    await rm(upload, { force: true });
    throw error;
  }
}
