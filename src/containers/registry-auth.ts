import { OperationError } from "../errors.js";
import { type SecretLookup, secretNotSet } from "../secrets/secret-store.js";
import { DEFAULT_REGISTRY, DOCKER_HUB_AUTH_ADDRESS, type ImageRef } from "./image-ref.js";

/** skiff.yml's `registry:`: the user name, and the name of the agent secret that holds the password/token. */
export interface RegistryConfig {
  username: string;
  passwordEnv: string;
}

/** What the engine's pull takes as X-Registry-Auth. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/**
 * The credentials for pulling `ref`: none when skiff.yml names no `registry:` (public images), else the
 * user and the secret's value from the agent's secret store. The value never appears in a message.
 */
export function registryAuth(
  ref: ImageRef,
  config: RegistryConfig | undefined,
  lookup: SecretLookup,
): RegistryAuth | undefined {
  if (!config) return undefined;
  const password = lookup(config.passwordEnv);
  if (password === undefined)
    throw new OperationError(secretNotSet("registry.password_env", config.passwordEnv));
  return {
    username: config.username,
    password,
    serveraddress: ref.registry === DEFAULT_REGISTRY ? DOCKER_HUB_AUTH_ADDRESS : ref.registry,
  };
}
