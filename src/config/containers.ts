import { posix } from "node:path";
import { z } from "zod";
import { IMAGE_REF_HINT, parseImageRef } from "../containers/image-ref.js";
import { envName } from "./fields.js";

/**
 * skiff.yml's keys for container apps: where the image comes from (`image:` or `dockerfile:`), the port
 * inside the container, resource limits, and registry credentials. Shapes only; the rules that relate
 * them to each other and to `start:` are in `containerRules`.
 */

export const imageRef = z.string({ error: `expected ${IMAGE_REF_HINT}` }).superRefine((text, ctx) => {
  const parsed = parseImageRef(text);
  if ("error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error });
});

/** A path inside the uploaded source: relative, `/`-separated, never leaving it. */
export const sourcePath = (example: string) =>
  z.string({ error: `expected a path inside the source, like ${example}` }).superRefine((text, ctx) => {
    const normal = posix.normalize(text);
    if (text.trim() === "" || posix.isAbsolute(text) || normal === ".." || normal.startsWith("../")) {
      ctx.addIssue({ code: "custom", message: `expected a path inside the source, like ${example}` });
    }
  });

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** NAME → value with numbers and booleans as text, as `env:` takes them. */
export const stringMap = (hint: string, key = VARIABLE) =>
  z
    .record(z.string().regex(key), z.union([z.string(), z.number(), z.boolean()]), {
      error: (issue) => (issue.code === "invalid_key" ? hint : "expected a string, number or boolean"),
    })
    .transform(
      (map): Record<string, string> =>
        Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)])),
    );

const MEMORY = /^(\d+(?:\.\d+)?)\s*([kmg])i?b?$/i;
const MEMORY_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const MEMORY_HINT = "a size like 256m or 1g";
/** The engine refuses memory limits under 6 MB. */
const MIN_MEMORY = 6 * 1024 ** 2;

/** "512m" → bytes. A bare number is refused: 512 could mean bytes or megabytes. */
export function parseMemory(text: string): number | undefined {
  const match = MEMORY.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * MEMORY_UNITS[match[2]!.toLowerCase()]!);
}

export const memory = z
  .union([z.string(), z.number()], { error: `expected ${MEMORY_HINT}` })
  .transform((value, ctx) => {
    const bytes = typeof value === "string" ? parseMemory(value) : undefined;
    if (bytes === undefined || bytes < MIN_MEMORY) {
      ctx.addIssue({
        code: "custom",
        message:
          bytes === undefined
            ? `expected ${MEMORY_HINT}, got ${JSON.stringify(value)}`
            : "must be at least 6m (the engine's minimum)",
      });
      return z.NEVER;
    }
    return bytes;
  });

export const cpus = z
  .number({ error: "expected a number of CPUs like 0.5 or 2" })
  .positive({ error: "expected a number of CPUs like 0.5 or 2" })
  .max(1024, { error: "expected a number of CPUs like 0.5 or 2" });

export const port = z
  .number({ error: "expected a port number from 1 to 65535" })
  .int({ error: "expected a port number from 1 to 65535" })
  .min(1, { error: "expected a port number from 1 to 65535" })
  .max(65535, { error: "expected a port number from 1 to 65535" });

const registry = z.strictObject(
  {
    username: z.string({ error: "is required: the registry user" }).min(1, { error: "must not be empty" }),
    password_env: envName,
  },
  { error: "expected { username: NAME, password_env: SECRET_NAME }" },
);

export const containerShape = {
  image: imageRef.optional(),
  dockerfile: sourcePath("Dockerfile or deploy/Dockerfile").optional(),
  build_args: stringMap("expected a build argument's name like NODE_VERSION").optional(),
  port: port.optional(),
  memory: memory.optional(),
  cpus: cpus.optional(),
  registry: registry.optional(),
};

export const CONTAINER_KEYS = ["image", "dockerfile", "build_args", "port", "memory", "cpus", "registry"];
export const REGISTRY_KEYS = ["username", "password_env"];

type ContainerInput = {
  start?: string;
  processes?: Record<string, unknown>;
  build?: string;
  image?: string;
  dockerfile?: string;
  build_args?: Record<string, string>;
  port?: number;
  memory?: number;
  cpus?: number;
  registry?: { username: string; password_env: string };
};

/** How the app runs in a container; undefined for an app of host processes. */
export type ContainerConfig = {
  source:
    | { kind: "image"; ref: string }
    | { kind: "dockerfile"; path: string; buildArgs: Record<string, string> };
  /** `start:` when given: overrides the image's CMD (shell form); else the image's own command runs. */
  command: string | undefined;
  /** The app's port inside the container; undefined: the image's EXPOSE, else 3000. */
  port: number | undefined;
  limits: { memoryBytes?: number; cpus?: number };
  registry: { username: string; passwordEnv: string } | undefined;
};

/**
 * The rules between keys: `start:` is required unless the app is an image or a Dockerfile; image and
 * dockerfile exclude each other; the container-only keys need one of them.
 */
export function containerRules(c: ContainerInput, ctx: z.core.$RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  const container = c.image !== undefined || c.dockerfile !== undefined;
  if (c.image !== undefined && c.dockerfile !== undefined) {
    issue("dockerfile", "set either image: (a prebuilt image) or dockerfile: (built on the agent), not both");
  }
  if (!container && c.start === undefined && c.processes === undefined) {
    issue(
      "start",
      "is required: the command that starts the app, like `node server.js` (or processes:, a Procfile, or image:/dockerfile: for a container)",
    );
  }
  if (container && c.build !== undefined) {
    issue("build", "a container app is built by its Dockerfile (or comes prebuilt); remove build:");
  }
  if (c.build_args !== undefined && c.dockerfile === undefined)
    issue("build_args", "is only used with dockerfile:");
  if (c.registry !== undefined && c.image === undefined) issue("registry", "is only used with image:");
  for (const key of ["port", "memory", "cpus"] as const) {
    if (c[key] !== undefined && !container)
      issue(key, "is only used by container apps (image: or dockerfile:)");
  }
}

export function containerConfig(c: ContainerInput): ContainerConfig | undefined {
  if (c.image === undefined && c.dockerfile === undefined) return undefined;
  return {
    source:
      c.image !== undefined
        ? { kind: "image", ref: c.image }
        : { kind: "dockerfile", path: posix.normalize(c.dockerfile!), buildArgs: c.build_args ?? {} },
    command: c.start,
    port: c.port,
    limits: {
      ...(c.memory !== undefined ? { memoryBytes: c.memory } : {}),
      ...(c.cpus !== undefined ? { cpus: c.cpus } : {}),
    },
    registry: c.registry
      ? { username: c.registry.username, passwordEnv: c.registry.password_env }
      : undefined,
  };
}
