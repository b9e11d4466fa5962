import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { UsageError } from "../errors.js";

/** Looks a secret up by its variable name; undefined when it is set nowhere. */
export type SecretLookup = (name: string) => string | undefined;

/** The agent's own environment alone: the lookup where no store is given (tests, embedded parts). */
export const environmentSecrets: SecretLookup = (name) => process.env[name] || undefined;

/** What a field naming a secret the agent does not have says, for `secrets:` and the alert channels. */
export function secretNotSet(field: string, name: string): string {
  return `${field}: ${name} is not set in the agent's secret store or environment (skiff secrets set ${name})`;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_VALUE_BYTES = 64 * 1024;

export function checkSecretName(name: string): void {
  if (!NAME.test(name))
    throw new UsageError(
      `secret name ${JSON.stringify(name)}: expected a variable name like SLACK_WEBHOOK_URL`,
    );
}

/**
 * The agent's secret store: values the operator set with `skiff secrets set`, for the `*_env` names
 * in skiff.yml (alert channels, the webhook secret). One JSON file, mode 0600, beside the ledger;
 * rewritten whole through a temporary file so a crash never leaves half of it. Not encrypted: it is
 * as safe as the agent's data directory, like the API token next to it.
 */
export class SecretStore {
  private values: Map<string, string>;

  constructor(private readonly file: string) {
    this.values = existsSync(file) ? read(file) : new Map();
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  names(): string[] {
    return [...this.values.keys()].sort();
  }

  set(name: string, value: string): void {
    checkSecretName(name);
    if (value.length === 0) throw new UsageError(`${name}: the value is empty`);
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
      throw new UsageError(`${name}: the value is over ${MAX_VALUE_BYTES / 1024} KB`);
    this.values.set(name, value);
    this.save();
  }

  /** True when the name was set. */
  unset(name: string): boolean {
    const had = this.values.delete(name);
    if (had) this.save();
    return had;
  }

  /** The store first, then the agent's environment: `skiff secrets set` overrides a variable. */
  lookup(env: NodeJS.ProcessEnv = process.env): SecretLookup {
    return (name) => this.values.get(name) ?? (env[name] || undefined);
  }

  private save(): void {
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(Object.fromEntries(this.values), null, 2)}\n`, {
      mode: 0o600,
    });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file);
  }
}

function read(file: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    // Not JSON.parse's message: it quotes the text around the fault, which is a secret's value.
    throw new UsageError(`${file}: not valid JSON`, "fix it by hand, or remove it and set the secrets again");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${file}: expected an object of NAME: "value"`);
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== "string") throw new UsageError(`${file}: ${name}: expected a string value`);
    values.set(name, value);
  }
  return values;
}
