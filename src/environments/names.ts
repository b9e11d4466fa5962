/**
 * Pure. The names of environments and deployments, in one place: what `production` is called, how a
 * preview's environment is named, and the key a deployment (one app in one environment) goes by in
 * serving, the proxy's routes and the monitors. Everything else asks this module instead of spelling
 * the strings out.
 */

/** The environment every app has: the top level of skiff.yml, and the one deploys go to by default. */
export const PRODUCTION = "production";

/** Previews live in environments named `preview:<slug>`, which no configured environment can be. */
export const PREVIEW_PREFIX = "preview:";

export function isProduction(env: string): boolean {
  return env === PRODUCTION;
}

/** `feat-x` → `preview:feat-x`. */
export function previewEnvironment(slug: string): string {
  return `${PREVIEW_PREFIX}${slug}`;
}

/** `preview:feat-x` → `feat-x`; undefined for an environment that is not a preview. */
export function previewSlugOf(env: string): string | undefined {
  return env.startsWith(PREVIEW_PREFIX) ? env.slice(PREVIEW_PREFIX.length) : undefined;
}

export function isPreview(env: string): boolean {
  return env.startsWith(PREVIEW_PREFIX);
}

/**
 * A deployment is one app in one environment: `hello` (production), `hello/staging`,
 * `hello/preview:feat-x`. Each has its own route, live release and warm releases.
 */
export function deploymentKey(app: string, env: string): string {
  return isProduction(env) ? app : `${app}/${env}`;
}

/** The environment of one of `app`'s deployment keys: the inverse of deploymentKey. */
export function environmentOfKey(app: string, key: string): string {
  return key === app ? PRODUCTION : key.slice(app.length + 1);
}

/** Whether `key` is one of `app`'s deployments, in any environment. */
export function isDeploymentOf(key: string, app: string): boolean {
  return key === app || key.startsWith(`${app}/`);
}

/** How people read a deployment: `hello` in production, `hello (staging)` elsewhere. */
export function deploymentLabel(app: string, env: string): string {
  return isProduction(env) ? app : `${app} (${env})`;
}
