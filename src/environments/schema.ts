import { z } from "zod";

/**
 * The skiff.yml keys for push-to-deploy: where the agent fetches the app, which branch is production,
 * the webhook secret's variable, per-environment overrides and branch previews.
 * src/config/schema.ts spreads `deliveryShape` into the app schema and wraps it with `withEnvironments`.
 */

/** The field builders of src/config/schema.ts, passed in so both files validate alike. */
export interface FieldBuilders {
  duration: (fallback: string) => z.ZodType<number, string | number | undefined>;
  count: (fallback: number, min: number, max: number) => z.ZodType<number, number | undefined>;
  hostname: z.ZodType<string, string>;
}

export const DEFAULT_BRANCH = "main";
export const DEFAULT_WEBHOOK_SECRET_ENV = "SKIFF_WEBHOOK_SECRET";
export const DEFAULT_PREVIEW_TTL = "7d";
export const DEFAULT_PREVIEW_MAX = 5;
export const BRANCH_PLACEHOLDER = "{branch}";

/** Keys an environment cannot override: they name the app or configure the other environments. */
export const SHARED_KEYS = ["app", "repo", "webhook_secret_env", "environments", "previews"] as const;

const ENVIRONMENT_NAME = /^[a-z0-9-]{1,40}$/;

// git check-ref-format, the parts that matter for a branch someone types into a config file.
// biome-ignore lint/suspicious/noControlCharactersInRegex: git forbids control characters in ref names
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)[^\s~^:?*[\\\x00-\x1f\x7f]+(?<![./])$/;

const branch = z
  .string({ error: "expected a branch name like main" })
  .regex(BRANCH, { error: "expected a branch name like main or release/2" });

const repo = z
  .string({ error: "expected a git URL or a path, like git@github.com:me/hello.git" })
  .trim()
  .min(1, { error: "must not be empty (leave it out when the agent gets uploads only)" })
  .refine((url) => !/\s/.test(url), { error: "expected a git URL or a path without spaces" })
  .refine((url) => !/^https?:\/\/[^/]*@/i.test(url) && !/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(url), {
    error: "must not contain credentials; give the agent an SSH key or a git credential helper instead",
  });

const variableName = z
  .string({ error: "expected an environment variable name like SKIFF_WEBHOOK_SECRET" })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: "expected an environment variable name like SKIFF_WEBHOOK_SECRET",
  });

const environments = z
  .record(
    z.string().regex(ENVIRONMENT_NAME),
    z.record(z.string(), z.unknown(), {
      error: "expected a mapping of overrides like { host: staging.example.com }",
    }),
    {
      error: (issue) =>
        issue.code === "invalid_key"
          ? "expected an environment name of 1 to 40 lowercase letters, digits or dashes"
          : issue.code === "invalid_type"
            ? "expected a mapping of environment names to overrides, like staging: { branch: develop }"
            : undefined,
    },
  )
  .optional();

export function deliveryShape(fields: FieldBuilders) {
  const hostTemplate = z
    .string({ error: `expected a host template like ${BRANCH_PLACEHOLDER}.preview.example.com` })
    .refine((template) => template.split(BRANCH_PLACEHOLDER).length === 2, {
      error: `expected a host template with ${BRANCH_PLACEHOLDER} once, like ${BRANCH_PLACEHOLDER}.preview.example.com`,
    })
    .refine((template) => fields.hostname.safeParse(template.replace(BRANCH_PLACEHOLDER, "x")).success, {
      error: `expected a host template like ${BRANCH_PLACEHOLDER}.preview.example.com`,
    })
    .transform((template) => template.toLowerCase());
  const previews = z.strictObject(
    {
      enabled: z.boolean({ error: "expected true or false" }).default(false),
      host: hostTemplate.optional(),
      ttl: fields.duration(DEFAULT_PREVIEW_TTL),
      max: fields.count(DEFAULT_PREVIEW_MAX, 1, 100),
    },
    { error: "expected a mapping like { enabled: true, host: '{branch}.preview.example.com' }" },
  );
  return {
    repo: repo.optional(),
    branch: branch.default(DEFAULT_BRANCH),
    webhook_secret_env: variableName.default(DEFAULT_WEBHOOK_SECRET_ENV),
    environments,
    // Every field defaults itself; the cast is only because the builders' types hide their defaults.
    previews: previews.prefault({} as z.input<typeof previews>),
  };
}

/** The camelCase form of the keys above (environments are added by `withEnvironments`). */
export function deliveryConfig(c: {
  repo?: string | undefined;
  branch: string;
  webhook_secret_env: string;
  previews: { enabled: boolean; host?: string | undefined; ttl: number; max: number };
}) {
  return {
    repo: c.repo,
    branch: c.branch,
    webhookSecretEnv: c.webhook_secret_env,
    previews: {
      enabled: c.previews.enabled,
      hostTemplate: c.previews.host,
      ttlMs: c.previews.ttl,
      max: c.previews.max,
    },
  };
}

export const DELIVERY_KNOWN_KEYS: Record<string, string[]> = {
  "": ["repo", "branch", "webhook_secret_env", "environments", "previews"],
  previews: ["enabled", "host", "ttl", "max"],
};
