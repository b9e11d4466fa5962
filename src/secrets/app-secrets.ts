import { type SecretLookup, secretNotSet } from "./secret-store.js";

/** The app's `secrets:` that the agent cannot provide, each naming the field and how to set it. */
export function missingSecrets(names: readonly string[], lookup: SecretLookup): string[] {
  return names.flatMap((name, i) => (lookup(name) ? [] : [secretNotSet(`secrets.${i}`, name)]));
}

/** The values of the app's `secrets:`, for its processes and build; a name that is not set is left out. */
export function secretEnv(names: readonly string[], lookup: SecretLookup): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = lookup(name);
    if (value) env[name] = value;
  }
  return env;
}
