import type { AppConfig } from "../config/schema.js";
import { UsageError } from "../errors.js";
import { PRODUCTION } from "./names.js";

/**
 * Pure. The config an environment deploys with: the top level with that environment's overrides
 * (resolved and validated when skiff.yml was loaded). `production` is the top level itself unless
 * skiff.yml overrides it too. The result is a complete AppConfig, still carrying every environment.
 */
export function configForEnvironment(config: AppConfig, name: string = PRODUCTION): AppConfig {
  const resolved = config.environments[name];
  if (resolved) return { ...resolved, environments: config.environments };
  if (name === PRODUCTION) return config;
  throw new UsageError(
    `--env ${name}: ${config.app} has no environment named ${JSON.stringify(name)}`,
    `known environments: ${environmentNames(config).join(", ")} (add one under \`environments:\` in skiff.yml)`,
  );
}

/** Pure. Every environment of the app, production first. */
export function environmentNames(config: AppConfig): string[] {
  const names = Object.keys(config.environments).filter((n) => n !== PRODUCTION);
  return [PRODUCTION, ...names.sort()];
}

/**
 * Pure. The environments a push to `branch` deploys: each whose (resolved) branch it is. An environment
 * that does not override `branch` follows the top level's, so it deploys on the same pushes as production.
 */
export function environmentsForBranch(config: AppConfig, branch: string): string[] {
  return environmentNames(config).filter((name) => configForEnvironment(config, name).branch === branch);
}
