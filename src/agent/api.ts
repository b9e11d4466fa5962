import type { Context } from "hono";
import { Hono } from "hono";
import type { Logger } from "pino";
import { backupRoutes } from "../backups/routes.js";
import type { BackupService } from "../backups/service.js";
import type { AppConfig } from "../config/schema.js";
import { mountDashboard } from "../dashboard/dashboard.js";
import type { DashboardSettings } from "../dashboard/settings.js";
import type { Deployer } from "../deployer/deployer.js";
import type { Serving } from "../deployer/serving.js";
import { EXIT } from "../errors.js";
import type { IsolationMode } from "../isolation/policy.js";
import type { OneOffRuns } from "../runs/one-off-runs.js";
import { runRoutes } from "../runs/routes.js";
import type { SecretStore } from "../secrets/secret-store.js";
import type { DataDir } from "../store/data-dir.js";
import type { Store } from "../store/store.js";
import type { CertsResponse } from "../tls/certs-api.js";
import { webhookAppFor, webhookRoutes } from "../webhooks/routes.js";
import type { AdmissionOptions } from "./admission.js";
import { API_PREFIX } from "./api-types.js";
import { bearerToken, tokenMatches } from "./auth.js";
import { HttpError, httpError } from "./http-error.js";
import type { Monitoring } from "./monitoring.js";
import type { PushDeploys } from "./push-deploys.js";
import { deployRoutes } from "./routes/deploys.js";
import { logRoutes } from "./routes/logs.js";
import { monitoringRoutes } from "./routes/monitoring.js";
import { prometheusRoutes } from "./routes/prometheus.js";
import { releaseRoutes } from "./routes/releases.js";
import { secretRoutes } from "./routes/secrets.js";
import { statusRoutes } from "./routes/status.js";

export interface ApiOptions {
  token: string;
  /** May read GET /metrics and nothing else. */
  metricsToken?: string | undefined;
  monitoring: Monitoring;
  backups?: BackupService;
  /** The certificates as GET /v1/certs shows them (the agent mounts that route itself), for the dashboard. */
  certs?: () => CertsResponse;
  logger?: Logger;
  store: Store;
  dataDir: DataDir;
  deployer: Deployer;
  serving: Serving;
  pushDeploys: PushDeploys;
  secrets: SecretStore;
  /** How deploys are admitted (size limit, secrets, alert channels), shared with push deploys. */
  admission: AdmissionOptions;
  startedAt: number;
  proxyAddress: string;
  /** One-off commands (`skiff run`). */
  runs: OneOffRuns;
  /** Whether apps run as their own users; who each app runs as (`skiff status`). */
  isolation: IsolationMode;
  userOf: (app: string, config: AppConfig) => string | undefined;
  /** The dashboard's credential lifetimes and clock, when not the defaults (tests). */
  dashboard?: Partial<DashboardSettings> | undefined;
}

/**
 * The routes under /v1, one Hono sub-app per part, each in its own file in src/agent/routes/: read the
 * request (src/agent/request.ts checks it with zod), call the part, answer. To add a part's routes,
 * write `routes/<part>.ts` exporting `(options) => Hono` and add it here: one line. Errors are thrown,
 * never answered by hand: createApi turns every one into the same JSON body (http-error.ts).
 */
function v1Routes(options: ApiOptions): Hono[] {
  return [
    statusRoutes(options),
    releaseRoutes(options),
    deployRoutes(options),
    logRoutes(options),
    secretRoutes({ ...options, changed: () => options.monitoring.secretsChanged() }),
    monitoringRoutes(options),
    ...(options.backups ? [backupRoutes(options.backups)] : []),
    runRoutes(options),
  ];
}

/** The control API: every /v1 route needs the bearer token. Testable in-process with `api.request()`. */
export function createApi(options: ApiOptions): Hono {
  const api = new Hono();
  api.onError((error, c) => respond(c, error, options.logger));
  api.notFound((c) =>
    respond(c, HttpError.notFound(`no such API route: ${c.req.method} ${c.req.path}`, EXIT.usage)),
  );

  // Webhooks authenticate by signature (src/webhooks/), the scrape by its own token, not by the API's.
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
  api.route("/", prometheusRoutes(options));

  api.use(`${API_PREFIX}/*`, async (c, next) => {
    if (!tokenMatches(bearerToken(c.req.header("authorization")), options.token))
      throw HttpError.unauthorized("missing or wrong API token");
    await next();
  });
  // After the /v1 guard: POST /v1/dashboard/links needs the API token; /dashboard has its own sessions.
  mountDashboard(api, options);
  for (const routes of v1Routes(options)) api.route(API_PREFIX, routes);
  return api;
}

/** Every error the API answers, in one shape; a 500 is logged with what caused it. */
function respond(c: Context, error: unknown, logger?: Logger): Response {
  const http = httpError(error);
  if (http.status >= 500)
    logger?.error({ err: http.cause ?? http }, `API ${c.req.method} ${c.req.path}: ${http.message}`);
  return c.json(http.body, http.status);
}
