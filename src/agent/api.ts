import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { Context } from "hono";
import { Hono } from "hono";
import { stream } from "hono/streaming";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { DURATION_HINT, parseDuration } from "../config/duration.js";
import { ArtifactError, inspectAppArtifact, UNPACKED_PER_UPLOADED_BYTE } from "../deployer/artifact.js";
import type { Deployer } from "../deployer/deployer.js";
import { LockedError } from "../deployer/lease.js";
import { deploymentKey, type Serving } from "../deployer/serving.js";
import type { OperationEvent } from "../deployer/steps.js";
import { configForEnvironment } from "../environments/resolve.js";
import { errorBody, toErrorBody } from "../error-body.js";
import { ConfigError, EXIT, SkiffError, UsageError } from "../errors.js";
import { tailLines } from "../runtime/log-file.js";
import { missingSecrets } from "../secrets/app-secrets.js";
import { checkSecretName, type SecretStore } from "../secrets/secret-store.js";
import type { DataDir } from "../store/data-dir.js";
import { PRODUCTION, type Release } from "../store/releases.js";
import type { Store } from "../store/store.js";
import { VERSION } from "../version.js";
import { webhookAppFor, webhookRoutes } from "../webhooks/routes.js";
import {
  type AppStatusView,
  DEPLOY_META_HEADER,
  type DeployMeta,
  type ErrorBody,
  type ResultEvent,
  type StatusView,
} from "./api-types.js";
import { bearerToken, tokenMatches } from "./auth.js";
import { followLog } from "./log-follow.js";
import type { Monitoring } from "./monitoring.js";
import type { PushDeploys } from "./push-deploys.js";
import { saveUpload, UploadTooLargeError } from "./upload.js";
import { instanceViews, releaseView } from "./views.js";

export interface ApiOptions {
  token: string;
  /** May read GET /metrics and nothing else. */
  metricsToken?: string | undefined;
  monitoring: Monitoring;
  logger?: Logger;
  store: Store;
  dataDir: DataDir;
  deployer: Deployer;
  serving: Serving;
  pushDeploys: PushDeploys;
  secrets: SecretStore;
  maxUploadBytes: number;
  startedAt: number;
  proxyAddress: string;
}

const APP_NAME = /^[a-z0-9-]{1,40}$/;

/** A JSON error with the status the client maps to an exit code. */
class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: ErrorBody,
  ) {
    super(body.error.message);
  }
}

/** The control API: every route needs the bearer token. Handlers are testable with `api.request()`. */
export function createApi(options: ApiOptions): Hono {
  const api = new Hono();

  // Webhooks authenticate by signature (src/webhooks/), not by the API token.
  api.route(
    "/hooks",
    webhookRoutes({
      lookupApp: (name) => {
        const config = options.store.apps.config(name);
        return config && webhookAppFor(config, options.secrets.lookup());
      },
      dispatch: (action) => options.pushDeploys.dispatch(action),
      deliveries: options.store.deliveries,
      log: (entry) => options.logger?.info(entry, `webhook: ${entry.message}`),
    }),
  );

  api.get("/metrics", async (c) => {
    const presented = bearerToken(c.req.header("authorization"));
    const allowed =
      tokenMatches(presented, options.token) ||
      (options.metricsToken !== undefined && tokenMatches(presented, options.metricsToken));
    if (!allowed)
      return c.json(errorBody("Unauthorized", "missing or wrong API or metrics token", EXIT.agent), 401);
    const { metrics } = options.monitoring;
    return c.body(await metrics.render(), 200, { "content-type": metrics.contentType });
  });

  api.use("/v1/*", async (c, next) => {
    if (!tokenMatches(bearerToken(c.req.header("authorization")), options.token)) {
      return c.json(errorBody("Unauthorized", "missing or wrong API token", EXIT.agent), 401);
    }
    await next();
  });

  api.onError((error, c) => {
    if (error instanceof HttpError) return c.json(error.body, error.status);
    const status = statusFor(error);
    return c.json(toErrorBody(error), status);
  });

  api.notFound((c) =>
    c.json(errorBody("NotFound", `no such API route: ${c.req.method} ${c.req.path}`, EXIT.usage), 404),
  );

  api.get("/v1/status", (c) => c.json(status(options)));

  api.get("/v1/apps/:app/releases", (c) => {
    const app = appParam(c);
    const limit = Number(c.req.query("limit") ?? 100);
    return c.json({ app, releases: options.store.releases.list(app, limit).map(releaseView) });
  });

  api.get("/v1/apps/:app/events", (c) => {
    const app = appParam(c);
    const release = c.req.query("release");
    return c.json({ app, events: options.store.events.list(app, release ? { release } : {}) });
  });

  api.post("/v1/apps/:app/deploys", async (c) => {
    const app = appParam(c);
    const meta = parseMeta(c.req.header(DEPLOY_META_HEADER));
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > options.maxUploadBytes) throw tooLarge(options.maxUploadBytes);
    const upload = options.dataDir.upload(randomBytes(8).toString("hex"));
    const received = Date.now();
    const bytes = await saveUpload(c.req.raw.body, upload, options.maxUploadBytes).catch((error) => {
      throw error instanceof UploadTooLargeError ? tooLarge(options.maxUploadBytes) : error;
    });
    const uploadMs = Date.now() - received;
    const { summary, config } = await inspectAppArtifact(
      upload,
      app,
      options.maxUploadBytes * UNPACKED_PER_UPLOADED_BYTE,
    );
    const env = c.req.query("env") ?? PRODUCTION;
    const resolved = configForEnvironment(config, env);
    const problems = [
      ...missingSecrets(resolved.secrets, options.secrets.lookup()),
      ...options.monitoring.channelProblems(resolved),
    ];
    if (problems.length > 0) {
      await rm(upload, { force: true });
      throw new ConfigError("skiff.yml (uploaded)", problems);
    }
    return operationStream(c, (emit, signal) =>
      options.deployer.deploy(
        {
          app,
          env,
          registered: config,
          config: resolved,
          trigger: "cli",
          version: meta.version ?? null,
          upload,
          uploadBytes: bytes,
          uploadFiles: summary.files,
          uploadMs,
          commit: meta.commit && {
            sha: meta.commit.sha,
            message: meta.commit.message,
            author: meta.commit.author,
            time: Date.parse(meta.commit.committedAt) || 0,
          },
          deployedBy: meta.deployedBy,
          wait: c.req.query("wait") === "1",
        },
        emit,
        signal,
      ),
    );
  });

  api.post("/v1/apps/:app/rollback", async (c) => {
    const app = appParam(c);
    const body = (await c.req.json().catch(() => ({}))) as {
      to?: unknown;
      env?: unknown;
      requestedBy?: unknown;
      wait?: unknown;
    };
    if (body.to !== undefined && typeof body.to !== "string")
      throw new UsageError("to: expected a release id like r3");
    if (body.env !== undefined && typeof body.env !== "string")
      throw new UsageError("env: expected an environment name like staging");
    return operationStream(c, (emit, signal) =>
      options.deployer.rollback(
        {
          app,
          ...(typeof body.to === "string" ? { to: body.to } : {}),
          ...(typeof body.env === "string" ? { env: body.env } : {}),
          requestedBy: typeof body.requestedBy === "string" ? body.requestedBy : null,
          wait: body.wait === true,
        },
        emit,
        signal,
      ),
    );
  });

  api.post("/v1/apps/:app/promote", async (c) => {
    const app = appParam(c);
    const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    for (const field of ["from", "to"] as const) {
      if (typeof body[field] !== "string")
        throw new UsageError(`${field}: expected an environment name like staging`);
    }
    return operationStream(c, (emit, signal) =>
      options.deployer.promote(
        {
          app,
          from: body.from as string,
          to: body.to as string,
          requestedBy: typeof body.requestedBy === "string" ? body.requestedBy : null,
          version: typeof body.version === "string" ? body.version : null,
          wait: body.wait === true,
        },
        emit,
        signal,
      ),
    );
  });

  api.get("/v1/apps/:app/version", (c) => {
    const app = appParam(c);
    const last = options.store.releases.lastVersion(app);
    return c.json({ app, version: last?.version ?? null, sha: last?.sha ?? null });
  });

  api.get("/v1/incidents", (c) => {
    const app = c.req.query("app");
    return c.json(
      options.monitoring.incidents({ ...(app ? { app } : {}), open: c.req.query("open") === "1" }),
    );
  });

  api.post("/v1/apps/:app/alerts/test", async (c) =>
    c.json(await options.monitoring.alertsTest(appParam(c))),
  );

  // The secret store: names go out, values only come in.
  api.get("/v1/secrets", (c) => c.json({ secrets: options.secrets.names().map((name) => ({ name })) }));

  api.put("/v1/secrets/:name", async (c) => {
    const name = c.req.param("name");
    checkSecretName(name);
    const body = (await c.req.json().catch(() => ({}))) as { value?: unknown };
    if (typeof body.value !== "string") throw new UsageError("value: expected the secret as a string");
    options.secrets.set(name, body.value);
    options.monitoring.secretsChanged();
    options.logger?.info({ secret: name }, `secret ${name} set`);
    return c.json({ name, set: true });
  });

  api.delete("/v1/secrets/:name", (c) => {
    const name = c.req.param("name");
    checkSecretName(name);
    const removed = options.secrets.unset(name);
    if (removed) options.monitoring.secretsChanged();
    return c.json({ name, removed });
  });

  api.get("/v1/metrics/delivery", (c) => {
    const since = c.req.query("since") ?? "30d";
    const sinceMs = parseDuration(since);
    if (sinceMs === undefined || sinceMs <= 0)
      throw new UsageError(`--since ${since}: expected ${DURATION_HINT}, like 30d`);
    return c.json(options.monitoring.delivery(c.req.query("app") || undefined, sinceMs));
  });

  api.get("/v1/apps/:app/logs", (c) => {
    const app = appParam(c);
    const artifact = logArtifact(options, app, c.req.query("release"));
    const file = options.dataDir.logFile(app, artifact);
    const asked = Number(c.req.query("lines") ?? 100);
    const lines = Number.isInteger(asked) && asked >= 0 ? Math.min(asked, 10_000) : 100;
    const follow = c.req.query("follow") === "1";
    c.header("content-type", "text/plain; charset=utf-8");
    c.header("x-skiff-release", artifact);
    return stream(c, async (s) => {
      const controller = new AbortController();
      s.onAbort(() => controller.abort());
      const tail = tailLines(file, lines);
      if (tail.length > 0) await s.write(`${tail.join("\n")}\n`);
      if (follow) await followLog(file, async (chunk) => void (await s.write(chunk)), controller.signal);
    });
  });

  return api;
}

type Operation = (emit: (event: OperationEvent) => void, signal: AbortSignal) => Promise<Release>;

/**
 * Runs a deploy or rollback while streaming its steps as NDJSON; the last line is the result. A client
 * that disconnects cancels the operation (before the switch; after it, the operation completes).
 */
function operationStream(c: Context, run: Operation): Response {
  c.header("content-type", "application/x-ndjson");
  c.header("cache-control", "no-store");
  return stream(c, async (s) => {
    const controller = new AbortController();
    s.onAbort(() => controller.abort());
    const write = (event: OperationEvent | ResultEvent) => {
      if (!s.aborted) void s.write(`${JSON.stringify(event)}\n`);
    };
    try {
      const release = await run(write, controller.signal);
      write({ type: "result", ok: true, release: releaseView(release) });
    } catch (error) {
      write({ type: "result", ok: false, release: null, error: toErrorBody(error).error });
    }
  });
}

function status(options: ApiOptions): StatusView {
  const { store, serving } = options;
  // Every app's production deployment, and every other environment or preview that has a live release.
  const deployments = new Map<string, { app: string; env: string }>();
  for (const app of store.releases.apps()) deployments.set(app, { app, env: PRODUCTION });
  for (const r of store.releases.allLive())
    deployments.set(deploymentKey(r.app, r.env), { app: r.app, env: r.env });
  const now = Date.now();
  return {
    agent: {
      version: VERSION,
      pid: process.pid,
      startedAt: new Date(options.startedAt).toISOString(),
      uptimeMs: now - options.startedAt,
      dataDir: options.dataDir.root,
      proxy: options.proxyAddress,
    },
    apps: [...deployments]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, { app, env }]): AppStatusView => {
        const live = store.releases.live(app, env);
        const active = serving.live(key);
        const lease = store.leases.get(app);
        return {
          app,
          env,
          hosts: live?.config.hosts ?? [],
          live: live ? releaseView(live) : null,
          instances: active ? instanceViews(active.group) : [],
          warm: serving.warm(key).map(({ group, until }) => ({
            release: group.artifact,
            until: new Date(until).toISOString(),
            instances: instanceViews(group),
          })),
          traffic: active ? { ...active.lb.counts, inflight: active.lb.inflight } : null,
          deploying:
            lease && lease.expiresAt > now
              ? { operation: lease.operation, who: lease.who, since: new Date(lease.since).toISOString() }
              : null,
        };
      }),
  };
}

function logArtifact(options: ApiOptions, app: string, release: string | undefined): string {
  const { store } = options;
  if (release) {
    const found = store.releases.get(app, release);
    if (!found)
      throw new HttpError(404, errorBody("NotFound", `${app} has no release ${release}`, EXIT.failed));
    return found.artifact;
  }
  const current = store.releases.live(app) ?? store.releases.list(app, 1)[0];
  if (!current) throw new HttpError(404, errorBody("NotFound", `no releases of ${app} yet`, EXIT.failed));
  return current.artifact;
}

function appParam(c: Context): string {
  const app = c.req.param("app") ?? "";
  if (!APP_NAME.test(app))
    throw new UsageError(
      `app name ${JSON.stringify(app)}: expected 1 to 40 lowercase letters, digits or dashes`,
    );
  return app;
}

function parseMeta(header: string | undefined): DeployMeta {
  if (!header) return { commit: null, deployedBy: null };
  try {
    const meta = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as DeployMeta;
    const version =
      typeof meta.version === "string" && /^v?\d+\.\d+\.\d+/.test(meta.version) ? meta.version : null;
    return { commit: meta.commit ?? null, deployedBy: meta.deployedBy ?? null, version };
  } catch {
    throw new UsageError(`${DEPLOY_META_HEADER}: expected base64url-encoded JSON`);
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    errorBody("PayloadTooLarge", `the upload is larger than the agent's limit of ${limit} bytes`, EXIT.usage),
  );
}

function statusFor(error: unknown): ContentfulStatusCode {
  if (error instanceof LockedError) return 409;
  if (error instanceof ConfigError || error instanceof ArtifactError || error instanceof UsageError)
    return 400;
  if (error instanceof SkiffError) return 422;
  return 500;
}
