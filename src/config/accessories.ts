import { z } from "zod";
import { cpus, imageRef, memory, port, stringMap } from "./containers.js";
import { duration, envName } from "./fields.js";

/**
 * `accessories:` in skiff.yml: long-running containers beside the app (a database, a cache) that are not
 * redeployed with it. Each keeps its data in the app's persistent storage and gives the app an environment
 * variable composed from its address (`app_env: { DATABASE_URL: "postgres://…@${HOST}:${PORT}/app" }`).
 */

const NAME = /^[a-z][a-z0-9-]{0,29}$/;
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The address placeholders every accessory provides to its `app_env` templates. */
export const ADDRESS_PLACEHOLDERS = ["HOST", "PORT"] as const;

export interface AccessoryVolume {
  /** The folder under the app's storage: DATA_DIR/storage/<app>/<env>/accessories/<accessory>/<name>. */
  name: string;
  target: string;
  readOnly: boolean;
}

/**
 * `data:/var/lib/postgresql/data[:ro]` → the storage folder `data` mounted there. A host path is refused:
 * an accessory keeps its data in the app's storage, never anywhere on the server a config names.
 */
export function parseVolume(text: string): AccessoryVolume | { error: string } {
  const parts = text.split(":");
  const [source, target, mode, ...rest] = parts;
  const hint = "expected NAME:/path/in/container[:ro], like data:/var/lib/postgresql/data";
  if (!source || !target || rest.length > 0 || (mode !== undefined && mode !== "ro" && mode !== "rw")) {
    return { error: hint };
  }
  if (source.startsWith("/") || source.startsWith("~")) {
    return {
      error: `${source} is a path on the server; an accessory keeps its data in the app's storage: name a folder instead, like data:${target}`,
    };
  }
  const name = source.replace(/^\.\//, "");
  if (!VOLUME_NAME.test(name)) return { error: `${JSON.stringify(source)}: ${hint}` };
  if (!target.startsWith("/"))
    return { error: `${JSON.stringify(target)}: the path in the container must be absolute` };
  return { name, target, readOnly: mode === "ro" };
}

/** `${NAME}` references in an `app_env` template. */
export function templateReferences(template: string): string[] {
  return [...template.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!);
}

/** Replaces every `${NAME}` with its value. Pure; the schema has already checked every name is known. */
export function expandTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([^}]*)\}/g, (whole, name: string) => values[name] ?? whole);
}

const secretsOf = z
  .union(
    [
      z.array(envName).transform((names) => Object.fromEntries(names.map((n) => [n, n]))),
      z.record(
        z.string().regex(VARIABLE, { error: "expected a variable name like POSTGRES_PASSWORD" }),
        envName,
      ),
    ],
    { error: "expected a list of secret names, or VARIABLE: SECRET_NAME pairs" },
  )
  .default({});

const healthcheck = z.strictObject({
  command: z
    .string({ error: "is required: a command run in the container, like `pg_isready -U postgres`" })
    .min(1),
  interval: duration("5s"),
  timeout: duration("5s"),
  retries: z.number().int().min(1).max(100).default(5),
  start_period: duration("0s"),
});

const accessory = z
  .strictObject({
    image: imageRef,
    /** The port the service listens on inside its container (what the app connects to). */
    port: port.optional(),
    /** Published on 127.0.0.1:<host_port> for host-process apps and tools (pg_dump); chosen free when absent. */
    host_port: port.optional(),
    command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
    user: z.string().min(1).optional(),
    // Images read names like `discovery.type` (Elasticsearch): dots and dashes are allowed here.
    env: stringMap("expected a variable name like POSTGRES_DB", /^[A-Za-z_][A-Za-z0-9_.-]*$/).default({}),
    secrets: secretsOf,
    volumes: z
      .array(z.string({ error: "expected NAME:/path/in/container" }))
      .default([])
      .transform((list, ctx) =>
        list.flatMap((text, i) => {
          const parsed = parseVolume(text);
          if ("error" in parsed) {
            ctx.addIssue({ code: "custom", path: [i], message: parsed.error });
            return [];
          }
          return [parsed];
        }),
      ),
    healthcheck: healthcheck.optional(),
    app_env: z
      .record(z.string().regex(VARIABLE), z.string(), {
        error: (issue) =>
          issue.code === "invalid_key"
            ? "expected a variable name like DATABASE_URL"
            : issue.code === "invalid_type"
              ? `expected a mapping like DATABASE_URL: "postgres://app:$\{POSTGRES_PASSWORD}@$\{HOST}:$\{PORT}/app"`
              : undefined,
      })
      .default({}),
    memory: memory.optional(),
    cpus: cpus.optional(),
    stop_timeout: duration("30s"),
  })
  .superRefine((a, ctx) => {
    const known = new Set<string>([
      ...ADDRESS_PLACEHOLDERS,
      ...Object.keys(a.env),
      ...Object.keys(a.secrets),
    ]);
    for (const [name, template] of Object.entries(a.app_env)) {
      for (const reference of templateReferences(template)) {
        if (!known.has(reference)) {
          ctx.addIssue({
            code: "custom",
            path: ["app_env", name],
            message: `\${${reference}} is not HOST, PORT or one of this accessory's env or secrets`,
          });
        }
      }
    }
    const targets = a.volumes.map((v) => v.target);
    targets.forEach((target, i) => {
      if (targets.indexOf(target) !== i)
        ctx.addIssue({ code: "custom", path: ["volumes", i], message: `${target} is mounted twice` });
    });
  })
  .transform((a) => ({
    image: a.image,
    port: a.port,
    hostPort: a.host_port,
    command: a.command,
    user: a.user,
    env: a.env,
    secrets: a.secrets,
    volumes: a.volumes,
    healthcheck: a.healthcheck
      ? {
          command: a.healthcheck.command,
          intervalMs: a.healthcheck.interval,
          timeoutMs: a.healthcheck.timeout,
          retries: a.healthcheck.retries,
          startPeriodMs: a.healthcheck.start_period,
        }
      : undefined,
    appEnv: a.app_env,
    limits: {
      ...(a.memory !== undefined ? { memoryBytes: a.memory } : {}),
      ...(a.cpus !== undefined ? { cpus: a.cpus } : {}),
    },
    stopTimeoutMs: a.stop_timeout,
  }));

export type AccessoryConfig = z.output<typeof accessory>;

export const accessoriesSchema = z
  .record(z.string().regex(NAME), accessory, {
    error: (issue) =>
      issue.code === "invalid_key"
        ? "expected a name like db or cache (lowercase letters, digits, dashes)"
        : issue.code === "invalid_type"
          ? "expected a mapping of accessories, like db: { image: postgres:16 }"
          : undefined,
  })
  .default({})
  .superRefine((all, ctx) => {
    const seen = new Map<string, string>();
    for (const [name, a] of Object.entries(all)) {
      // Zod still runs this when an entry had issues; such an entry is not transformed and has no appEnv.
      for (const variable of Object.keys(a.appEnv ?? {})) {
        const other = seen.get(variable);
        if (other)
          ctx.addIssue({
            code: "custom",
            path: [name, "app_env", variable],
            message: `is also set by accessories.${other}.app_env`,
          });
        seen.set(variable, name);
      }
      const hostPorts = Object.entries(all).filter(
        ([, b]) => a.hostPort !== undefined && b.hostPort === a.hostPort,
      );
      if (hostPorts.length > 1 && hostPorts[0]![0] !== name)
        ctx.addIssue({
          code: "custom",
          path: [name, "host_port"],
          message: `is also accessories.${hostPorts[0]![0]}.host_port`,
        });
    }
  });

/** The accessory schema alone: the compose reader validates what it produced with the same rules. */
export const accessorySchema = accessory;

export const ACCESSORY_KNOWN_KEYS: Record<string, string[]> = {
  "accessories.*": [
    "image",
    "port",
    "host_port",
    "command",
    "user",
    "env",
    "secrets",
    "volumes",
    "healthcheck",
    "app_env",
    "memory",
    "cpus",
    "stop_timeout",
  ],
  "accessories.*.healthcheck": ["command", "interval", "timeout", "retries", "start_period"],
};
