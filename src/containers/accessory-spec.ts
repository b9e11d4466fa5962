import { createHash } from "node:crypto";
import { join } from "node:path";
import { type AccessoryConfig, expandTemplate } from "../config/accessories.js";
import { OperationError } from "../errors.js";
import { type SecretLookup, secretNotSet } from "../secrets/secret-store.js";
import type { ContainerSpec } from "./container-spec.js";
import { accessoryLabels, containerName, LABEL } from "./labels.js";

/** Who an accessory belongs to: the agent, the app and the environment (production, staging, a preview). */
export interface AccessoryOwner {
  agent: string;
  app: string;
  env: string;
}

export function accessoryContainerName(owner: AccessoryOwner, name: string): string {
  return containerName(owner.agent, owner.app, owner.env, name);
}

export function accessoryNetworkName(owner: AccessoryOwner): string {
  return containerName(owner.agent, owner.app, owner.env);
}

/** Where an accessory's volume lives: DATA_DIR/storage/<app>/<env>/accessories/<name>/<volume>. */
export function accessoryVolumeDir(storageDir: string, name: string, volume: string): string {
  return join(storageDir, "accessories", name, volume);
}

/**
 * The variables of an accessory's container: `env:`, then each secret's value from the agent. A missing
 * secret is refused naming the key, never started without it.
 */
export function accessoryEnvironment(
  name: string,
  config: AccessoryConfig,
  secrets: SecretLookup,
): Record<string, string> {
  const values: Record<string, string> = { ...config.env };
  for (const [variable, secret] of Object.entries(config.secrets)) {
    const value = secrets(secret);
    if (value === undefined)
      throw new OperationError(secretNotSet(`accessories.${name}.secrets.${variable}`, secret));
    values[variable] = value;
  }
  return values;
}

/**
 * The whole container an accessory runs as. Pure. Its `skiff.config-hash` label is a digest of everything
 * here (secret values included, so a changed password recreates it, without the label revealing it): an
 * unchanged accessory is only restarted, a changed one is recreated, and its data stays in storage either way.
 */
export function accessorySpec(input: {
  owner: AccessoryOwner;
  name: string;
  config: AccessoryConfig;
  image: string;
  containerPort: number;
  hostPort: number;
  storageDir: string;
  env: Record<string, string>;
}): ContainerSpec {
  const { owner, name, config } = input;
  const spec: ContainerSpec = {
    name: accessoryContainerName(owner, name),
    image: input.image,
    labels: accessoryLabels({ ...owner, accessory: name }),
    env: input.env,
    command: config.command,
    publish: { hostPort: input.hostPort, containerPort: input.containerPort },
    mounts: config.volumes.map((v) => ({
      source: accessoryVolumeDir(input.storageDir, name, v.name),
      target: v.target,
      readOnly: v.readOnly,
    })),
    limits: config.limits,
    network: { name: accessoryNetworkName(owner), aliases: [name] },
    healthcheck: config.healthcheck,
    restart: "unless-stopped",
    ...(config.user ? { user: config.user } : {}),
  };
  spec.labels[LABEL.configHash] = createHash("sha256")
    .update(JSON.stringify(spec))
    .digest("hex")
    .slice(0, 16);
  return spec;
}

/** How an app reaches an accessory: by name on the app's network (containers) or on 127.0.0.1 (host processes). */
export interface AccessoryAddress {
  host: string;
  port: number;
}

export function accessoryAddress(
  name: string,
  ports: { containerPort: number; hostPort: number },
  app: "container" | "host",
): AccessoryAddress {
  return app === "container"
    ? { host: name, port: ports.containerPort }
    : { host: "127.0.0.1", port: ports.hostPort };
}

/** An accessory's `app_env:`, with `${HOST}`, `${PORT}` and its env and secret values filled in. Pure. */
export function accessoryAppEnv(
  config: AccessoryConfig,
  address: AccessoryAddress,
  env: Record<string, string>,
): Record<string, string> {
  const values = { ...env, HOST: address.host, PORT: String(address.port) };
  return Object.fromEntries(
    Object.entries(config.appEnv).map(([key, template]) => [key, expandTemplate(template, values)]),
  );
}
