import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GitError, git } from "../git/git.js";
import { type EnvEntry, isEnvFile, isEnvTemplate, parseEnvFile } from "./env-files.js";
import { fingerprint } from "./fingerprint.js";
import { lineOf } from "./line-of.js";
import type { Finding } from "./types.js";

export interface EnvCheckInput {
  root: string;
  /** `env_required:` from skiff.yml. */
  envRequired: readonly string[];
  /** `env:` from skiff.yml: set by skiff for the app, so present. */
  configEnv: Readonly<Record<string, string>>;
  /** `secrets:` from skiff.yml: the agent gives the app these, so present. */
  secrets?: readonly string[];
  /** Also read `.env.<environment>` (e.g. production). */
  environment?: string;
  /** Files git tracks, relative to root; undefined outside git. */
  tracked?: readonly string[];
  /**
   * The environment of a CI run (only there: a laptop's exported variables say nothing about the
   * server): a key set there counts as set, since CI has its secrets as variables and no `.env`.
   */
  processEnv?: Readonly<Record<string, string | undefined>>;
}

const TEMPLATES = [".env.example", ".env.sample", ".env.template"];

function readEnv(root: string, name: string): EnvEntry[] | undefined {
  const path = join(root, name);
  return existsSync(path) ? parseEnvFile(readFileSync(path, "utf8")) : undefined;
}

function envFinding(
  rule: string,
  severity: Finding["severity"],
  file: string,
  line: number,
  key: string,
  message: string,
  hint: string,
): Finding {
  return {
    check: "env",
    rule,
    severity,
    file,
    line,
    column: 1,
    message,
    hint,
    fingerprint: fingerprint("env", rule, file, key),
  };
}

/** Keys the templates and skiff.yml require that no env file (nor skiff.yml `env:`) sets. */
function missingKeys(input: EnvCheckInput): Finding[] {
  const { root } = input;
  const required: Array<{ key: string; file: string; line: number }> = [];
  for (const template of TEMPLATES) {
    for (const entry of readEnv(root, template) ?? [])
      required.push({ key: entry.key, file: template, line: entry.line });
  }
  for (const key of input.envRequired)
    required.push({ key, file: "skiff.yml", line: lineOf(root, "skiff.yml", key) });
  if (required.length === 0) return [];
  const sources = [".env", ...(input.environment ? [`.env.${input.environment}`] : [])];
  const present = new Map<string, string>();
  for (const [key, value] of Object.entries(input.processEnv ?? {}))
    if (value !== undefined) present.set(key, value);
  for (const [key, value] of Object.entries(input.configEnv)) present.set(key, value);
  for (const key of input.secrets ?? []) present.set(key, "(a secret the agent provides)");
  for (const source of sources)
    for (const entry of readEnv(root, source) ?? []) present.set(entry.key, entry.value);
  const where = [...sources, ...(input.processEnv ? ["the environment"] : [])].join(" or ");
  const seen = new Set<string>();
  return required.flatMap(({ key, file, line }) => {
    if (seen.has(key)) return [];
    seen.add(key);
    const value = present.get(key);
    if (value !== undefined && value !== "") return [];
    const problem = value === undefined ? `is not set in ${where}` : `is empty in ${where}`;
    return [
      envFinding(
        "env-missing",
        "error",
        file,
        line,
        key,
        `${key} is required by ${file} but ${problem}`,
        `set ${key} in ${where}, in skiff.yml env:, or for a secret list it in skiff.yml secrets: and \`skiff secrets set ${key}\``,
      ),
    ];
  });
}

/** A committed `.env` (not a template) with values in it. */
function trackedEnvFiles(input: EnvCheckInput): Finding[] {
  return (input.tracked ?? [])
    .filter((path) => isEnvFile(path) && !isEnvTemplate(path))
    .flatMap((path) => {
      const withValue = (readEnv(input.root, path) ?? []).find((e) => e.value !== "");
      if (!withValue) return [];
      return [
        envFinding(
          "env-file-committed",
          "error",
          path,
          withValue.line,
          path,
          `${path} is committed to git and holds values (${withValue.key}=…)`,
          `git rm --cached ${path}, add it to .gitignore, and rotate any secret it held`,
        ),
      ];
    });
}

async function envIgnored(root: string): Promise<boolean> {
  try {
    await git(["check-ignore", "-q", "--no-index", ".env"], { cwd: root });
    return true;
  } catch (error) {
    if (error instanceof GitError) return false;
    throw error;
  }
}

/** `.env` not in .gitignore, in a project that uses env files. */
async function envNotIgnored(input: EnvCheckInput): Promise<Finding[]> {
  if (!input.tracked) return [];
  const usesEnv =
    [".env", ...TEMPLATES].some((f) => existsSync(join(input.root, f))) || input.envRequired.length > 0;
  if (!usesEnv || (await envIgnored(input.root))) return [];
  const file = existsSync(join(input.root, ".gitignore")) ? ".gitignore" : ".env";
  return [
    envFinding(
      "env-not-ignored",
      "warning",
      file,
      1,
      ".env",
      ".env is not in .gitignore",
      "add `.env` to .gitignore so secrets in it are never committed",
    ),
  ];
}

/** The env check: missing variables, committed env files, `.env` not ignored. */
export async function checkEnv(input: EnvCheckInput): Promise<Finding[]> {
  return [...missingKeys(input), ...trackedEnvFiles(input), ...(await envNotIgnored(input))];
}
