import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { ALERT_KNOWN_KEYS } from "../alerts/config.js";
import { BACKUP_KNOWN_KEYS } from "../backups/config.js";
import { DELIVERY_KNOWN_KEYS } from "../environments/schema.js";
import { ConfigError } from "../errors.js";
import { WATCH_KNOWN_KEYS } from "../metrics/watch-config.js";
import { MONITOR_KNOWN_KEYS } from "../monitor/config.js";
import { PREFLIGHT_KEYS } from "../preflight/config.js";
import { TLS_KNOWN_KEYS } from "../tls/config.js";
import { ACCESSORY_KNOWN_KEYS } from "./accessories.js";
import { CONTAINER_KEYS, REGISTRY_KEYS } from "./containers.js";
import { PROCESS_KEYS, PROCESS_OBJECT_KEYS } from "./processes.js";
import { PROCFILE, parseProcfile } from "./procfile.js";
import { type AppConfig, appConfigSchema } from "./schema.js";

export const CONFIG_FILE = "skiff.yml";

/**
 * Parse and validate the text of a skiff.yml. Pure: `file` is only used in messages. `procfile`, the
 * text of the app's Procfile, gives the process types (and the release command) when skiff.yml has
 * neither `start:` nor `processes:` (the Heroku and Dokku convention).
 */
export function parseAppConfig(text: string, file = CONFIG_FILE, procfile?: string): AppConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ""}${message}`;
      }),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(file, ["expected a mapping of keys (app:, start:, …) at the top level"]);
  }
  const parsed = appConfigSchema.safeParse(withProcfile(raw as Record<string, unknown>, procfile));
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues, raw));
  return parsed.data;
}

/** skiff.yml's raw keys, with the Procfile's types and release command where skiff.yml has none. */
function withProcfile(raw: Record<string, unknown>, procfile: string | undefined): Record<string, unknown> {
  if (procfile === undefined || "start" in raw || "processes" in raw) return raw;
  const { processes, release } = parseProcfile(procfile);
  if (Object.keys(processes).length === 0) return raw;
  return { ...raw, processes, ...(release !== undefined && !("release" in raw) ? { release } : {}) };
}

/** The text of DIR/Procfile, or undefined when there is none. */
export function readProcfile(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, PROCFILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Read DIR/skiff.yml (and DIR/Procfile). A missing skiff.yml is a usage error that says how to create one. */
export function loadAppConfig(dir: string): AppConfig {
  const file = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ConfigError(file, [`not found; create ${CONFIG_FILE} with at least \`app:\` and \`start:\``]);
    }
    throw error;
  }
  return parseAppConfig(text, file, readProcfile(dir));
}

const KNOWN_KEYS: Record<string, string[]> = {
  "": [
    "app",
    "start",
    "build",
    ...PROCESS_KEYS,
    "host",
    "instances",
    "env",
    "healthcheck",
    "drain_timeout",
    "stop_timeout",
    "rollback_window",
    "keep_releases",
    ...DELIVERY_KNOWN_KEYS[""]!,
    "monitors",
    "alerts",
    "watch",
    "env_required",
    "preflight",
    ...TLS_KNOWN_KEYS[""]!,
    "backups",
    ...CONTAINER_KEYS,
    "accessories",
    "status_page",
  ],
  registry: REGISTRY_KEYS,
  "processes.*": PROCESS_OBJECT_KEYS,
  "processes.*.healthcheck": ["command", "timeout"],
  ...ACCESSORY_KNOWN_KEYS,
  healthcheck: ["path", "interval", "timeout", "healthy_threshold", "deploy_timeout"],
  previews: DELIVERY_KNOWN_KEYS.previews!,
  ...MONITOR_KNOWN_KEYS,
  ...ALERT_KNOWN_KEYS,
  ...WATCH_KNOWN_KEYS,
  ...PREFLIGHT_KEYS,
  tls: TLS_KNOWN_KEYS.tls!,
  hsts: TLS_KNOWN_KEYS.hsts!,
  ...BACKUP_KNOWN_KEYS,
};

/** Every message starts with the key path, e.g. `healthcheck.interval: expected a duration…`. */
export function formatIssues(issues: z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const where = path ? `${path}.${key}` : key;
        // An environment's overrides take the top level's keys: environments.staging.x → x;
        // accessories are named by the user: accessories.db.x → accessories.*.x.
        const known = keysPath(issue.path)
          .replace(/^environments\.[^.]+\.?/, "")
          .replace(/^accessories\.[^.]+/, "accessories.*")
          .replace(/^processes\.[^.]+/, "processes.*");
        const guess = closest(key, KNOWN_KEYS[known] ?? []);
        return `${where}: unknown key${guess ? ` (did you mean ${guess}?)` : ""}`;
      });
    }
    const message =
      issue.code === "invalid_type" && valueAt(input, issue.path) === undefined
        ? requiredMessage(issue.message)
        : issue.message;
    return [`${path || "(top level)"}: ${message}`];
  });
}

/** `monitors.0.expect` → `monitors.*.expect`, the form KNOWN_KEYS uses for list entries. */
function keysPath(path: PropertyKey[]): string {
  return path.map((key) => (typeof key === "number" ? "*" : String(key))).join(".");
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function requiredMessage(message: string): string {
  return message.startsWith("is required") ? message : `is required (${message})`;
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Edits between two words, a swap of two neighbouring letters counting as one (optimal string
 * alignment): `hots` is one edit from `host`, as close as from `hsts`, and the earlier key wins a tie.
 */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
