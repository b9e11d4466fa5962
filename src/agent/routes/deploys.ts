import { Hono } from "hono";
import { z } from "zod";
import { imageRef } from "../../config/containers.js";
import type { Deployer } from "../../deployer/deployer.js";
import { parseVersion } from "../../deployer/versioning.js";
import { PRODUCTION } from "../../environments/names.js";
import { configForEnvironment } from "../../environments/resolve.js";
import { UsageError } from "../../errors.js";
import type { CommitRecord } from "../../store/releases.js";
import { type AdmissionOptions, admitDeploy } from "../admission.js";
import { DEPLOY_META_HEADER, type DeployMeta } from "../api-types.js";
import { operationStream } from "../operation-stream.js";
import { appParam, bodyOf, checked, queryOf, querySwitch, text } from "../request.js";
import { UploadTooLargeError } from "../upload.js";

export interface DeployRouteOptions {
  deployer: Deployer;
  admission: AdmissionOptions;
}

const ENVIRONMENT = "an environment name like staging";

const deployQuery = z.object({ env: text(ENVIRONMENT).default(PRODUCTION), wait: querySwitch });

const rollbackBody = z.object({
  to: text("a release id like r3 or a version like v1.4.2").optional(),
  env: text(ENVIRONMENT).optional(),
  requestedBy: z.string({ error: "expected who asked, as a string" }).nullish(),
  wait: z.boolean({ error: "expected true or false" }).optional(),
});

const promoteBody = z.object({
  from: text(ENVIRONMENT),
  to: text(ENVIRONMENT),
  version: z
    .string({ error: "expected a version like 1.4.2" })
    .refine((v) => parseVersion(v) !== undefined, { error: "expected a version like 1.4.2" })
    .nullish(),
  requestedBy: z.string({ error: "expected who asked, as a string" }).nullish(),
  wait: z.boolean({ error: "expected true or false" }).optional(),
});

const commitText = z.string({ error: "expected a string" });
const metaSchema = z.object({
  commit: z
    .object(
      { sha: commitText, message: commitText, author: commitText, committedAt: commitText },
      { error: "expected { sha, message, author, committedAt }" },
    )
    .nullish(),
  deployedBy: z.string({ error: "expected a string" }).nullish(),
  // A version that is not one is left out: the agent bumps the patch, as for a deploy without one.
  version: z.unknown().optional(),
  image: imageRef.optional(),
});

/**
 * Deploy (an upload), rollback and promote: each answers with the operation's steps as NDJSON.
 * A deploy is admitted first (src/agent/admission.ts), so a refused upload is a plain 4xx and leaves
 * nothing behind.
 */
export function deployRoutes(options: DeployRouteOptions): Hono {
  const routes = new Hono();
  const { deployer, admission } = options;

  routes.post("/apps/:app/deploys", async (c) => {
    const app = appParam(c);
    const meta = parseMeta(c.req.header(DEPLOY_META_HEADER));
    const { env, wait } = queryOf(c, deployQuery);
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > admission.maxUploadBytes) throw new UploadTooLargeError(admission.maxUploadBytes);
    const input = await admitDeploy(admission, {
      app,
      tarball: c.req.raw.body,
      target: (registered) => ({ env, config: configForEnvironment(registered, env) }),
      details: () => ({
        trigger: "cli",
        version: meta.version ?? null,
        commit: commitRecord(meta.commit),
        deployedBy: meta.deployedBy,
        wait,
        ...(meta.image ? { image: meta.image } : {}),
      }),
    });
    if (!input) throw new Error("a deploy from the CLI always has a target");
    return operationStream(c, (emit, signal) => deployer.deploy(input, emit, signal));
  });

  routes.post("/apps/:app/rollback", async (c) => {
    const app = appParam(c);
    const body = await bodyOf(c, rollbackBody);
    return operationStream(c, (emit, signal) =>
      deployer.rollback(
        {
          app,
          ...(body.to ? { to: body.to } : {}),
          ...(body.env ? { env: body.env } : {}),
          requestedBy: body.requestedBy ?? null,
          wait: body.wait === true,
        },
        emit,
        signal,
      ),
    );
  });

  routes.post("/apps/:app/promote", async (c) => {
    const app = appParam(c);
    const body = await bodyOf(c, promoteBody);
    return operationStream(c, (emit, signal) =>
      deployer.promote(
        {
          app,
          from: body.from,
          to: body.to,
          requestedBy: body.requestedBy ?? null,
          version: body.version ?? null,
          wait: body.wait === true,
        },
        emit,
        signal,
      ),
    );
  });

  return routes;
}

/** Pure. The deploy metadata header (base64url JSON, docs/cli.md). */
export function parseMeta(header: string | undefined): DeployMeta {
  if (!header) return { commit: null, deployedBy: null };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
  } catch {
    throw new UsageError(`${DEPLOY_META_HEADER}: expected base64url-encoded JSON`);
  }
  const meta = checked(metaSchema, raw, DEPLOY_META_HEADER);
  const version = typeof meta.version === "string" && parseVersion(meta.version) ? meta.version : null;
  return {
    commit: meta.commit ?? null,
    deployedBy: meta.deployedBy ?? null,
    version,
    ...(meta.image ? { image: meta.image } : {}),
  };
}

function commitRecord(commit: DeployMeta["commit"]): CommitRecord | null {
  return (
    commit && {
      sha: commit.sha,
      message: commit.message,
      author: commit.author,
      time: Date.parse(commit.committedAt) || 0,
    }
  );
}
