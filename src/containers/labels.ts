import { createHash } from "node:crypto";

/**
 * Labels mark a container as Skiff's and say what it runs, so an agent that restarts finds its containers
 * by asking the engine (never by name patterns) and matches each to the ledger.
 */
export const LABEL = {
  /** Which agent (data directory) owns it: two agents on one engine never touch each other's containers. */
  agent: "skiff.agent",
  app: "skiff.app",
  release: "skiff.release",
  /** The ledger's instance id (`i-…`), the same id a host process carries as SKIFF_INSTANCE. */
  instance: "skiff.instance",
  /** The process type: `web`, `worker`…, or `release` for the one-off release command. */
  process: "skiff.process",
  /** Set on accessories only: their name in skiff.yml. */
  accessory: "skiff.accessory",
  env: "skiff.env",
  /** A hash of what an accessory was created from: a changed config recreates it, an unchanged one restarts. */
  configHash: "skiff.config-hash",
} as const;

/** A short stable id for the agent that owns a data directory. */
export function agentId(dataDirRoot: string): string {
  return createHash("sha256").update(dataDirRoot).digest("hex").slice(0, 12);
}

export interface InstanceIdentity {
  agent: string;
  app: string;
  release: string;
  instance: string;
  process: string;
}

export function instanceLabels(identity: InstanceIdentity): Record<string, string> {
  return {
    [LABEL.agent]: identity.agent,
    [LABEL.app]: identity.app,
    [LABEL.release]: identity.release,
    [LABEL.instance]: identity.instance,
    [LABEL.process]: identity.process,
  };
}

export interface AccessoryIdentity {
  agent: string;
  app: string;
  env: string;
  accessory: string;
}

export function accessoryLabels(identity: AccessoryIdentity): Record<string, string> {
  return {
    [LABEL.agent]: identity.agent,
    [LABEL.app]: identity.app,
    [LABEL.env]: identity.env,
    [LABEL.accessory]: identity.accessory,
  };
}

/** The engine's `filters` for containers carrying every one of `labels`. */
export function labelFilters(labels: Record<string, string>): { label: string[] } {
  return { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
}

/**
 * A container name from its parts: Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]*; app, env and accessory names
 * are already restricted to lowercase letters, digits and dashes by the config schema.
 */
export function containerName(...parts: string[]): string {
  return ["skiff", ...parts].join("-").replace(/[^a-zA-Z0-9_.-]/g, "-");
}
