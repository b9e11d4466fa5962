import type { AppConfig } from "../config/schema.js";
import { type SecretLookup, secretNotSet } from "../secrets/secret-store.js";
import { backupSecrets } from "./config.js";

/**
 * The agent secrets an app's `backups:` name and the agent does not have, each naming its key, as
 * missingSecrets does for `secrets:`.
 * The deploy admission (src/agent/admission.ts) refuses a deploy with these problems, like the alert
 * channels', so a backup never fails at 03:00 for a secret that was never set.
 */
export function backupSecretProblems(config: AppConfig, lookup: SecretLookup): string[] {
  return config.backups.flatMap((spec, i) =>
    backupSecrets(spec, i).flatMap(({ field, name }) => (lookup(name) ? [] : [secretNotSet(field, name)])),
  );
}
