import { z } from "zod";
import { alertsSchema } from "../alerts/config.js";
import { backupsSchema } from "../backups/config.js";
import { withEnvironments } from "../environments/overrides.js";
import { deliveryConfig, deliveryShape } from "../environments/schema.js";
import { watchSchema } from "../metrics/watch-config.js";
import { monitorsSchema } from "../monitor/config.js";
import { envRequiredSchema, preflightSchema } from "../preflight/config.js";
import { tlsConfig, tlsShape } from "../tls/config.js";
import { accessoriesSchema } from "./accessories.js";
import { containerConfig, containerRules, containerShape } from "./containers.js";
import { count, duration, hostname } from "./fields.js";
import { processConfig, processRules, processShape, WEB } from "./processes.js";

/**
 * skiff.yml, as the user writes it (snake_case, durations as text) and as the code uses it
 * (camelCase, milliseconds). The schema is the single place defaults live.
 */

/** Set by skiff for each process (src/runtime/process-env.ts): an app cannot set them. */
const RESERVED_ENV = new Set([
  "PORT",
  "HOST",
  "SKIFF_APP",
  "SKIFF_ENV",
  "SKIFF_RELEASE",
  "SKIFF_PROCESS",
  "SKIFF_INSTANCE",
  "SKIFF_STORAGE_DIR",
]);

const envMap = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected a variable name like NODE_ENV" }),
    z.union([z.string(), z.number(), z.boolean()], { error: "expected a string, number or boolean" }),
  )
  .default({})
  .superRefine((env, ctx) => {
    for (const key of Object.keys(env)) {
      if (RESERVED_ENV.has(key)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: "is set by skiff for each instance; remove it",
        });
      }
    }
  })
  .transform((env) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])));

/**
 * Names of the agent's secrets (`skiff secrets set`, or its environment) given to the app's processes
 * and build as environment variables: values that must not be committed in `env:`.
 */
const secretNames = z
  .array(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected a secret's name like DATABASE_URL" }),
    { error: "expected a list of secret names, like [DATABASE_URL, STRIPE_KEY]" },
  )
  .default([])
  .superRefine((names, ctx) => {
    names.forEach((name, i) => {
      if (RESERVED_ENV.has(name))
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: `${name} is set by skiff for each instance; remove it`,
        });
      else if (names.indexOf(name) !== i)
        ctx.addIssue({ code: "custom", path: [i], message: `${name} is listed twice` });
    });
  });

const healthcheck = z
  .strictObject({
    path: z
      .string()
      .startsWith("/", { error: "expected a path starting with /, like /health" })
      .default("/health"),
    interval: duration("1s"),
    timeout: duration("2s"),
    healthy_threshold: count(2, 1, 100),
    deploy_timeout: duration("60s"),
  })
  // prefault: an absent section is parsed as {} so the field defaults above apply.
  .prefault({});

const singleEnvironmentSchema = z
  .strictObject({
    app: z
      .string({ error: "is required: the app's name, like hello" })
      .regex(/^[a-z0-9-]{1,40}$/, { error: "expected 1 to 40 lowercase letters, digits or dashes" }),
    // Required unless the app is a container (image:/dockerfile:), where it overrides the image's CMD.
    start: z
      .string({ error: "expected the command that starts the app, like `node server.js`" })
      .trim()
      .min(1, { error: "must not be empty" })
      .optional(),
    build: z.string().trim().min(1, { error: "must not be empty (leave it out for no build)" }).optional(),
    ...processShape,
    host: z.union([hostname, z.array(hostname).min(1)]).optional(),
    instances: count(1, 1, 64),
    env: envMap,
    secrets: secretNames,
    healthcheck,
    drain_timeout: duration("30s"),
    stop_timeout: duration("10s"),
    rollback_window: duration("5m"),
    keep_releases: count(5, 1, 1000),
    ...deliveryShape({ duration, count, hostname }),
    monitors: monitorsSchema,
    alerts: alertsSchema,
    watch: watchSchema,
    env_required: envRequiredSchema,
    preflight: preflightSchema,
    ...tlsShape,
    backups: backupsSchema,
    ...containerShape,
    accessories: accessoriesSchema,
    /**
     * The system user the app's processes run as when the agent is root (src/isolation/); it must exist.
     * Default: skiff-<app>, created on the first deploy.
     */
    user: z
      .string({ error: "expected a user name, like www-data" })
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, {
        error:
          "expected a system user name: up to 32 lowercase letters, digits, - or _, not starting with a digit or -",
      })
      .optional(),
    /** A public page at /status/<app> on the agent's API listener: monitors and recent incidents. */
    status_page: z.boolean({ error: "expected true or false" }).default(false),
  })
  .superRefine((c, ctx) => {
    containerRules(c, ctx);
    processRules(c, ctx);
    c.secrets.forEach((name, i) => {
      if (name in c.env)
        ctx.addIssue({
          code: "custom",
          path: ["secrets", i],
          message: `${name} is also in env:; a secret's value comes from the agent, so remove it from env:`,
        });
    });
  })
  .transform((c) => {
    const processes = processConfig(c);
    const web = processes.find((p) => p.name === WEB);
    return {
      app: c.app,
      /** The web command; "" for a container app that runs its image's own command, or an app without web. */
      start: web?.command ?? c.start ?? "",
      build: c.build,
      /** Every process type, web first: `start:` is the web one. */
      processes,
      /** Runs once per deploy after the build, before anything starts (migrations). */
      release: c.release,
      releaseTimeoutMs: c.release_timeout,
      install: c.install,
      /** Paths copied from the previous release when the cache key matches; undefined: by detection. */
      cache: c.cache,
      cacheKey: c.cache_key,
      /** Paths of the release linked into the app's persistent storage. */
      storage: c.storage,
      hosts: c.host === undefined ? [] : Array.isArray(c.host) ? c.host : [c.host],
      /** Web instances. */
      instances: web?.instances ?? c.instances,
      env: c.env,
      secrets: c.secrets,
      healthcheck: {
        path: c.healthcheck.path,
        intervalMs: c.healthcheck.interval,
        timeoutMs: c.healthcheck.timeout,
        healthyThreshold: c.healthcheck.healthy_threshold,
        deployTimeoutMs: c.healthcheck.deploy_timeout,
      },
      drainTimeoutMs: c.drain_timeout,
      stopTimeoutMs: c.stop_timeout,
      rollbackWindowMs: c.rollback_window,
      keepReleases: c.keep_releases,
      ...deliveryConfig(c),
      monitors: c.monitors,
      alerts: c.alerts,
      watch: c.watch,
      envRequired: c.env_required,
      preflight: c.preflight,
      tls: tlsConfig(c),
      backups: c.backups,
      container: containerConfig(c),
      accessories: c.accessories,
      statusPage: c.status_page,
      user: c.user,
    };
  });

/** skiff.yml with each `environments:` entry resolved into a complete config (src/environments/). */
export const appConfigSchema = withEnvironments(singleEnvironmentSchema);

export type AppConfig = z.output<typeof appConfigSchema>;
