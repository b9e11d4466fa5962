import { z } from "zod";
import { BRANCH_PLACEHOLDER, SHARED_KEYS } from "./schema.js";

/** What `withEnvironments` needs to know of the single-environment config. */
interface BaseConfig {
  hosts: string[];
  previews: { enabled: boolean; hostTemplate: string | undefined };
}

/**
 * Wraps the single-environment schema so that each `environments.<name>` is validated as the whole
 * config with its overrides applied: overrides take exactly the rules (and defaults) of the top level,
 * and their errors carry the full key path, like `environments.staging.instances: expected…`.
 * The output is the top-level config plus `environments`, each a complete resolved config.
 */
export function withEnvironments<T extends BaseConfig>(base: z.ZodType<T, unknown>) {
  return z.unknown().transform((raw, ctx) => {
    const parsed = base.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
      return z.NEVER;
    }
    const top = raw as Record<string, unknown>;
    const environments: Record<string, T> = {};
    for (const [name, overrides] of Object.entries(
      (top.environments ?? {}) as Record<string, Record<string, unknown>>,
    )) {
      const resolved = resolveEnvironment(base, top, name, overrides, ctx);
      if (resolved) environments[name] = resolved;
    }
    checkPreviewHost(parsed.data, ctx);
    return { ...parsed.data, environments };
  });
}

/** One environment's config, or undefined after adding its issues (prefixed with its path) to `ctx`. */
function resolveEnvironment<T>(
  base: z.ZodType<T, unknown>,
  top: Record<string, unknown>,
  name: string,
  overrides: Record<string, unknown>,
  ctx: z.core.$RefinementCtx,
): T | undefined {
  const path = ["environments", name];
  const shared = SHARED_KEYS.filter((key) => key in overrides);
  for (const key of shared) {
    ctx.addIssue({
      code: "custom",
      path: [...path, key],
      message: "is the same in every environment; set it at the top level",
    });
  }
  const result = base.safeParse(applyOverrides(top, overrides));
  if (!result.success) {
    for (const issue of result.error.issues)
      ctx.addIssue({ ...issue, path: [...path, ...issue.path] } as z.core.$ZodRawIssue);
    return undefined;
  }
  return shared.length === 0 ? result.data : undefined;
}

/**
 * The raw top level with an environment's overrides on top. `env` and `healthcheck` merge key by key
 * (staging adds LOG_LEVEL without repeating every variable); every other key replaces the top level's.
 */
export function applyOverrides(
  top: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...top, ...overrides };
  for (const key of ["env", "healthcheck"]) {
    if (isMapping(top[key]) && isMapping(overrides[key])) merged[key] = { ...top[key], ...overrides[key] };
  }
  delete merged.environments;
  return merged;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkPreviewHost(config: BaseConfig, ctx: z.core.$RefinementCtx): void {
  if (!config.previews.enabled || config.previews.hostTemplate || defaultPreviewTemplate(config.hosts))
    return;
  ctx.addIssue({
    code: "custom",
    path: ["previews", "host"],
    message: `is required when previews are enabled and the app has no host, like ${BRANCH_PLACEHOLDER}.preview.example.com`,
  });
}

/** `{branch}.preview.<the app's first exact host>`, the template used when `previews.host` is not set. */
export function defaultPreviewTemplate(hosts: string[]): string | undefined {
  const host = hosts.find((h) => !h.startsWith("*."));
  return host ? `${BRANCH_PLACEHOLDER}.preview.${host}` : undefined;
}
