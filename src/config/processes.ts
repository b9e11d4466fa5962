import { posix } from "node:path";
import { z } from "zod";
import { duration, optionalDuration } from "./fields.js";

/**
 * skiff.yml's keys for what a release runs besides `start:`: its process types (`processes:`), the
 * release command (`release:`), the dependency install and its cache (`install:`, `cache:`,
 * `cache_key:`) and the paths kept in persistent storage (`storage:`). Shapes here; the rules between
 * them and `start:` in `processRules`, the normalized form in `processConfig`.
 */

/** The type that gets PORT, the proxy's traffic and the HTTP health gate. */
export const WEB = "web";

const PROCESS_NAME = /^[A-Za-z0-9_-]{1,30}$/;
const PROCESS_NAME_HINT = "expected a process type name of letters, digits, _ or - (like web or worker)";

const command = (example: string) =>
  z
    .string({ error: `expected a command, like \`${example}\`` })
    .trim()
    .min(1, { error: "must not be empty" });

const processObject = z.strictObject(
  {
    command: command("node worker.js"),
    instances: z
      .number({ error: "expected a whole number from 0 to 64" })
      .int({ error: "expected a whole number from 0 to 64" })
      .min(0, { error: "expected a whole number from 0 to 64" })
      .max(64, { error: "expected a whole number from 0 to 64" })
      .optional(),
    /** Not web: how long each instance must run without exiting to pass the deploy's gate. */
    min_uptime: optionalDuration(),
    /** Not web: a command that must exit 0 once the instance has been up `min_uptime`. */
    healthcheck: z
      .strictObject({ command: command("test -f /tmp/worker-ready"), timeout: duration("10s") })
      .optional(),
    stop_timeout: optionalDuration(),
  },
  { error: "expected a command, or { command, instances }" },
);

/** `worker: node worker.js` is `worker: { command: node worker.js }`; an object's errors name its keys. */
const processEntry = z.preprocess(
  (value) => (typeof value === "string" ? { command: value } : value),
  processObject,
);

export const processesSchema = z
  .record(z.string().regex(PROCESS_NAME, { error: PROCESS_NAME_HINT }), processEntry, {
    error: (issue) =>
      issue.code === "invalid_key"
        ? PROCESS_NAME_HINT
        : "expected a mapping of process types to commands, like { web: node server.js, worker: node worker.js }",
  })
  .optional();

/** A path inside the release directory: relative, `/`-separated, not the release itself. */
export const releasePath = (example: string) =>
  z.string({ error: `expected a path inside the release, like ${example}` }).transform((text, ctx) => {
    const normal = posix.normalize(text.trim()).replace(/\/+$/, "");
    if (
      text.trim() === "" ||
      text.includes("\0") ||
      posix.isAbsolute(text.trim()) ||
      normal === "." ||
      normal === ".." ||
      normal.startsWith("../")
    ) {
      ctx.addIssue({
        code: "custom",
        message: `expected a path inside the release, like ${example} (not absolute, no ..)`,
      });
      return z.NEVER;
    }
    return normal;
  });

export const processShape = {
  processes: processesSchema,
  release: command("npm run migrate").optional(),
  release_timeout: duration("5m"),
  install: command("npm ci --omit=dev").optional(),
  cache: z
    .array(releasePath("node_modules"), { error: "expected a list of paths, like [node_modules]" })
    .optional(),
  cache_key: z
    .array(releasePath("package-lock.json"), { error: "expected a list of files, like [package-lock.json]" })
    .min(1, { error: "list at least one file (or leave cache_key: out for the lockfile)" })
    .optional(),
  storage: z
    .array(releasePath("data"), { error: "expected a list of paths, like [data, public/uploads]" })
    .default([]),
};

export const PROCESS_KEYS = [
  "processes",
  "release",
  "release_timeout",
  "install",
  "cache",
  "cache_key",
  "storage",
];
export const PROCESS_OBJECT_KEYS = ["command", "instances", "min_uptime", "healthcheck", "stop_timeout"];

interface ProcessesInput {
  start?: string;
  instances: number;
  stop_timeout: number;
  processes?: Record<string, z.output<typeof processEntry>>;
  cache?: string[];
  storage: string[];
}

/** One process type of a release, normalized. */
export interface ProcessSpec {
  name: string;
  command: string;
  instances: number;
  /** Not web: how long an instance must stay up to pass the gate. */
  minUptimeMs: number;
  /** Not web: must exit 0 after `minUptimeMs` for the gate to pass. */
  healthcheck: { command: string; timeoutMs: number } | undefined;
  stopTimeoutMs: number;
}

const MIN_UPTIME_MS = 3_000;

/**
 * The rules between keys: `start:` is the web process, so `processes.web` goes with no `start:`;
 * `release` names the release phase, not a type; web is gated by `healthcheck:` and never takes
 * `min_uptime`; storage paths do not nest, repeat, or overlap cached paths.
 */
export function processRules(c: ProcessesInput, ctx: z.core.$RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
  const processes = c.processes ?? {};
  if (c.start !== undefined && WEB in processes) {
    issue(["processes", WEB], "start: is already the web process; set one or the other");
  }
  for (const [name, entry] of Object.entries(processes)) {
    if (name === "release") {
      issue(["processes", name], "release is the release phase, not a process type: use release: instead");
    }
    if (name === WEB) {
      if (entry.min_uptime !== undefined)
        issue(["processes", name, "min_uptime"], "web is gated by healthcheck: (HTTP), not by uptime");
      if (entry.healthcheck !== undefined)
        issue(["processes", name, "healthcheck"], "web is checked over HTTP: set the top-level healthcheck:");
      if (entry.instances === 0) issue(["processes", name, "instances"], "web needs at least 1 instance");
    }
  }
  pathRules("storage", c.storage, issue);
  c.storage.forEach((path, i) => {
    const cached = (c.cache ?? []).find((p) => p === path || inside(path, p) || inside(p, path));
    if (cached) issue(["storage", i], `${path} overlaps cache: ${cached}; a path is either kept or cached`);
  });
  if (c.cache) pathRules("cache", c.cache, issue);
}

function pathRules(
  key: string,
  paths: string[],
  issue: (path: PropertyKey[], message: string) => void,
): void {
  paths.forEach((path, i) => {
    const first = paths.indexOf(path);
    if (first !== i) {
      issue([key, i], `${path} is listed twice`);
      return;
    }
    const outer = paths.findIndex((other) => inside(path, other));
    if (outer >= 0)
      issue([key, i], `${path} is inside ${paths[outer]} (${key}.${outer}); list only the outer path`);
  });
}

/** `a` is strictly inside `b`. */
function inside(a: string, b: string): boolean {
  return a.startsWith(`${b}/`);
}

/** Every process type, web first (from `start:` or `processes.web`), then the others as written. */
export function processConfig(c: ProcessesInput): ProcessSpec[] {
  const entries: Array<[string, string | z.output<typeof processEntry>]> = Object.entries(c.processes ?? {});
  if (c.start !== undefined) entries.unshift([WEB, c.start]);
  entries.sort(([a], [b]) => Number(b === WEB) - Number(a === WEB));
  return entries.map(([name, entry]) => {
    const object = typeof entry === "string" ? { command: entry } : entry;
    return {
      name,
      command: object.command,
      // `instances:` at the top level counts web instances, as it always has.
      instances: object.instances ?? (name === WEB ? c.instances : 1),
      minUptimeMs: object.min_uptime ?? MIN_UPTIME_MS,
      healthcheck: object.healthcheck && {
        command: object.healthcheck.command,
        timeoutMs: object.healthcheck.timeout,
      },
      stopTimeoutMs: object.stop_timeout ?? c.stop_timeout,
    };
  });
}
