import { parseDocument } from "yaml";
import { parseImageRef } from "../containers/image-ref.js";
import { ConfigError } from "../errors.js";
import { accessorySchema } from "./accessories.js";
import { parseDuration } from "./duration.js";

/**
 * Reads the `services:` of an existing docker-compose.yml into skiff.yml `accessories:` entries: image,
 * environment, volumes, ports, healthcheck, command, user and limits. Pure: text in, entries (in
 * skiff.yml's own shape, each checked by the accessory schema) out, with a note for everything that does
 * not carry over and why. A service with `build:` is an app, not an accessory, and is skipped.
 */

export type RawAccessory = Record<string, unknown>;

export interface ComposeAccessories {
  accessories: Record<string, RawAccessory>;
  skipped: Array<{ service: string; reason: string }>;
  /** `services.db.environment.X: …` lines: what was changed or left out, and what to do instead. */
  notes: string[];
}

/** Keys that have no meaning for an accessory Skiff runs (it restarts them, names them, networks them). */
const IGNORED = new Set([
  "restart",
  "depends_on",
  "networks",
  "container_name",
  "hostname",
  "stdin_open",
  "tty",
  "stop_signal",
  "labels",
  "logging",
  "profiles",
  "platform",
  "extra_hosts",
  "cap_add",
  "cap_drop",
  "init",
]);

export function accessoriesFromCompose(text: string, file = "docker-compose.yml"): ComposeAccessories {
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length > 0)
    throw new ConfigError(
      file,
      doc.errors.map((e) => e.message.split("\n")[0]!),
    );
  const root: unknown = doc.toJS();
  const services = isMapping(root) ? root.services : undefined;
  if (!isMapping(services)) throw new ConfigError(file, ["services: expected a mapping of services"]);
  const result: ComposeAccessories = { accessories: {}, skipped: [], notes: [] };
  for (const [service, definition] of Object.entries(services)) {
    if (!isMapping(definition)) {
      result.skipped.push({ service, reason: "expected a mapping" });
      continue;
    }
    readService(service, definition, result);
  }
  return result;
}

function readService(service: string, def: Record<string, unknown>, result: ComposeAccessories): void {
  const at = `services.${service}`;
  const note = (path: string, text: string) => result.notes.push(`${at}${path ? `.${path}` : ""}: ${text}`);
  if (def.build !== undefined) {
    result.skipped.push({
      service,
      reason: "is built from source (build:): that is an app; deploy it with skiff",
    });
    return;
  }
  if (typeof def.image !== "string") {
    result.skipped.push({ service, reason: "has no image:" });
    return;
  }
  const ref = parseImageRef(def.image);
  if ("error" in ref) {
    result.skipped.push({ service, reason: `image ${JSON.stringify(def.image)}: ${ref.error}` });
    return;
  }
  const name = service
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 30);
  if (name !== service)
    note("", `named ${name} in skiff.yml (accessory names are lowercase letters, digits and dashes)`);

  const raw: RawAccessory = { image: def.image };
  const { env, secrets } = readEnvironment(def.environment, (path, text) =>
    note(`environment.${path}`, text),
  );
  if (Object.keys(env).length > 0) raw.env = env;
  if (Object.keys(secrets).length > 0) raw.secrets = secrets;
  const ports = readPorts(def.ports, (text) => note("ports", text));
  const port = ports.target ?? firstNumber(def.expose);
  if (port !== undefined) raw.port = port;
  if (ports.published !== undefined) raw.host_port = ports.published;
  const volumes = readVolumes(def.volumes, (path, text) => note(`volumes.${path}`, text));
  if (volumes.length > 0) raw.volumes = volumes;
  const healthcheck = readHealthcheck(def.healthcheck, (text) => note("healthcheck", text));
  if (healthcheck) raw.healthcheck = healthcheck;
  if (typeof def.command === "string") raw.command = shellWords(def.command);
  else if (Array.isArray(def.command)) raw.command = def.command.map(String);
  if (typeof def.user === "string" || typeof def.user === "number") raw.user = String(def.user);
  Object.assign(raw, readLimits(def));

  for (const key of Object.keys(def)) {
    if (key === "secrets")
      note(
        "secrets",
        "compose secrets (files under /run/secrets) are not mounted: use secrets: in skiff.yml",
      );
    else if (key === "env_file")
      note("env_file", "is not read: put the variables in env: or secrets: in skiff.yml");
    else if (key === "entrypoint") note("entrypoint", "is not carried over: the image's own entrypoint runs");
    else if (IGNORED.has(key))
      note(key, "is not needed: Skiff restarts, names and networks accessories itself");
  }

  const checked = accessorySchema.safeParse(raw);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    result.skipped.push({ service, reason: `${issue.path.join(".")}: ${issue.message}` });
    return;
  }
  result.accessories[name] = raw;
}

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const WHOLE_VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])[^}]*)?\}$|^\$([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * `KEY=value` lists and `KEY: value` maps. A variable compose would take from the shell (`KEY` alone, or a
 * value that is exactly `${NAME}`) becomes a secret the agent provides; `$$` is a literal `$`; a value that
 * mixes text and `${…}` cannot be resolved and is left out with a note.
 */
export function readEnvironment(
  value: unknown,
  note: (path: string, text: string) => void,
): { env: Record<string, string>; secrets: Record<string, string> } {
  const env: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((item) => {
        const text = String(item);
        const eq = text.indexOf("=");
        return eq === -1 ? [text, null] : [text.slice(0, eq), text.slice(eq + 1)];
      })
    : isMapping(value)
      ? Object.entries(value)
      : [];
  for (const [key, raw] of entries) {
    if (raw === null || raw === undefined) {
      secrets[key] = key;
      note(key, `comes from the shell in compose: set it with \`skiff secrets set ${key}\``);
      continue;
    }
    const text = String(raw);
    const whole = WHOLE_VARIABLE.exec(text);
    if (whole) {
      const source = (whole[1] ?? whole[3])!;
      secrets[key] = source;
      note(
        key,
        `reads \${${source}}: set it with \`skiff secrets set ${source}\`${whole[2] ? " (its compose default is not carried over)" : ""}`,
      );
      continue;
    }
    if (new RegExp(INTERPOLATION.source).test(text.replace(/\$\$/g, ""))) {
      note(
        key,
        `mixes text and $\{…} that compose fills in from the shell; left out: set it in env: or secrets:`,
      );
      continue;
    }
    if (key.endsWith("_FILE") && text.startsWith("/run/secrets/")) {
      const plain = key.slice(0, -"_FILE".length);
      note(
        key,
        `reads a compose secret file, which is not mounted: left out; set ${plain} with \`skiff secrets set ${plain}\` and list it in secrets:`,
      );
      continue;
    }
    env[key] = text.replace(/\$\$/g, "$");
  }
  return { env, secrets };
}

/** The container port of the first TCP mapping, and its host port (published on 127.0.0.1 by Skiff). */
function readPorts(value: unknown, note: (text: string) => void): { target?: number; published?: number } {
  if (!Array.isArray(value) || value.length === 0) return {};
  let found: { target?: number; published?: number } | undefined;
  for (const entry of value) {
    const mapping = portMapping(entry);
    if (!mapping) {
      note(`${JSON.stringify(entry)} is not a single TCP port mapping; left out`);
      continue;
    }
    if (found) {
      note(`${JSON.stringify(entry)}: an accessory gives the app one port; only the first is kept`);
      continue;
    }
    found = mapping;
  }
  if (found?.published !== undefined)
    note("published on 127.0.0.1 only, never on every interface as compose does");
  return found ?? {};
}

export function portMapping(entry: unknown): { target: number; published?: number } | undefined {
  if (typeof entry === "number") return { target: entry };
  if (isMapping(entry)) {
    const target = Number(entry.target);
    const published = entry.published === undefined ? undefined : Number(entry.published);
    if (!Number.isInteger(target) || (entry.protocol !== undefined && entry.protocol !== "tcp"))
      return undefined;
    return published !== undefined && Number.isInteger(published) ? { target, published } : { target };
  }
  if (typeof entry !== "string") return undefined;
  // [IP:][HOST:]CONTAINER[/tcp]; the IP has dots (or brackets, for IPv6) so "3000:3000" is HOST:CONTAINER.
  const match = /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\]):)?(?:(\d+):)?(\d+)(?:\/tcp)?$/i.exec(
    entry.trim(),
  );
  if (!match) return undefined;
  return match[1] ? { target: Number(match[2]), published: Number(match[1]) } : { target: Number(match[2]) };
}

/**
 * Named volumes become folders of the app's storage. A relative bind (`./data:/x`) becomes a storage folder
 * too, empty at first; one that names a file (`./nginx.conf:/etc/…`: its last part has an extension) and
 * host paths (`/srv/x`, `~/x`) are left out: an accessory's files live in storage, not in the project.
 */
function readVolumes(value: unknown, note: (path: string, text: string) => void): string[] {
  if (!Array.isArray(value)) return [];
  const volumes: string[] = [];
  for (const [i, entry] of value.entries()) {
    const volume = volumeOf(entry);
    const where = String(i);
    if (!volume) {
      note(where, `${JSON.stringify(entry)} is not a volume; left out`);
    } else if (volume.source === undefined) {
      note(where, `anonymous volume ${volume.target} left out: name it to keep its data`);
    } else if (volume.source.startsWith("/") || volume.source.startsWith("~")) {
      note(where, `host path ${volume.source} left out: an accessory keeps its data in the app's storage`);
    } else {
      const name = storageFolder(volume.source);
      if (name === undefined) {
        note(where, `${volume.source} is a file of the project; left out: build it into an image`);
        continue;
      }
      if (volume.source.startsWith("."))
        note(where, `${volume.source} becomes the storage folder ${name}, empty at first`);
      volumes.push(`${name}:${volume.target}${volume.readOnly ? ":ro" : ""}`);
    }
  }
  return volumes;
}

/** A named volume as is; `./a/b` → `a-b`; undefined for a relative path that names a file (an extension). */
function storageFolder(source: string): string | undefined {
  if (!source.startsWith(".")) return source;
  const relative = source.replace(/^\.\/?/, "").replace(/\/$/, "");
  if (relative === "" || /\.[A-Za-z0-9]+$/.test(relative.split("/").at(-1)!)) return undefined;
  return relative.replace(/\//g, "-");
}

function volumeOf(entry: unknown): { source?: string; target: string; readOnly: boolean } | undefined {
  if (typeof entry === "string") {
    const parts = entry.split(":");
    if (parts.length === 1) return { target: parts[0]!, readOnly: false };
    return { source: parts[0]!, target: parts[1]!, readOnly: (parts[2] ?? "").split(",").includes("ro") };
  }
  if (isMapping(entry) && typeof entry.target === "string") {
    if (entry.type === "tmpfs") return undefined;
    return {
      source: typeof entry.source === "string" ? entry.source : undefined,
      target: entry.target,
      readOnly: entry.read_only === true,
    };
  }
  return undefined;
}

function readHealthcheck(value: unknown, note: (text: string) => void): RawAccessory | undefined {
  if (!isMapping(value) || value.disable === true) return undefined;
  const test = value.test;
  let command: string | undefined;
  if (typeof test === "string") command = test;
  else if (Array.isArray(test) && test[0] === "CMD-SHELL") command = String(test[1] ?? "");
  else if (Array.isArray(test) && test[0] === "CMD")
    command = test
      .slice(1)
      .map((a) => shellQuote(String(a)))
      .join(" ");
  if (!command) {
    if (!(Array.isArray(test) && test[0] === "NONE")) note("has no test Skiff can run; left out");
    return undefined;
  }
  const check: RawAccessory = { command: command.replace(/\$\$/g, "$") };
  for (const key of ["interval", "timeout", "start_period"] as const) {
    if (value[key] === undefined) continue;
    const ms = composeDuration(String(value[key]));
    if (ms === undefined) note(`${key} ${JSON.stringify(value[key])} is not a duration; the default is used`);
    else check[key] = `${ms}ms`;
  }
  if (typeof value.retries === "number") check.retries = value.retries;
  return check;
}

/** Compose durations are Go's: `1m30s`, `10s`, `500ms`, `1h`. */
export function composeDuration(text: string): number | undefined {
  const parts = text.trim().match(/\d+(?:\.\d+)?(?:ms|us|s|m|h)/g);
  if (!parts || parts.join("") !== text.trim()) return undefined;
  return parts.reduce((sum, part) => sum + (part.endsWith("us") ? 0 : (parseDuration(part) ?? 0)), 0);
}

/** `deploy.resources.limits` (memory, cpus), or the older `mem_limit` and `cpus`. */
function readLimits(def: Record<string, unknown>): RawAccessory {
  const deploy = isMapping(def.deploy) ? def.deploy : {};
  const resources = isMapping(deploy.resources) ? deploy.resources : {};
  const limits = isMapping(resources.limits) ? resources.limits : {};
  const memory = limits.memory ?? def.mem_limit;
  const cpus = limits.cpus ?? def.cpus;
  const out: RawAccessory = {};
  if (typeof memory === "string") out.memory = memory.toLowerCase();
  else if (typeof memory === "number") out.memory = `${Math.ceil(memory / 1024)}k`;
  if (cpus !== undefined && Number.isFinite(Number(cpus))) out.cpus = Number(cpus);
  return out;
}

/** Compose splits a string command into words (shell quoting rules, no shell): `a "b c"` → [a, b c]. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === "\\" && i + 1 < text.length) {
      word += text[++i];
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(word);
      word = "";
      started = false;
    } else {
      word += ch;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function firstNumber(value: unknown): number | undefined {
  if (!Array.isArray(value)) return undefined;
  const first = Number(String(value[0] ?? "").replace(/\/tcp$/, ""));
  return Number.isInteger(first) && first > 0 ? first : undefined;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
