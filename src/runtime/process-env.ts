/**
 * The one place an app process's environment is composed: web and worker instances, the install,
 * build and release commands, and (later) one-off commands all get theirs here, so none can miss a
 * variable or leak one of the agent's.
 */

import type { AppIdentity } from "../isolation/isolation.js";

/** Environment variables an app inherits from the agent; anything else (tokens, secrets) stays with the agent. */
const INHERITED_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LC_ALL",
  "TZ",
  "TMPDIR",
  "NODE_EXTRA_CA_CERTS",
];

/** What every process of one release in one environment shares. */
export interface ReleaseEnvironment {
  app: string;
  /** `production`, a configured environment, or `preview:<slug>`. */
  env: string;
  /** The release whose files run (its artifact). */
  release: string;
  /** The app's persistent storage in this environment (DATA_DIR/storage/<app>/<env>). */
  storageDir: string;
  /** skiff.yml's `env:`, then the values of its `secrets:`, read at launch. */
  vars: Record<string, string>;
  /** The app's own user when apps are isolated (src/isolation/): processes run as it, with its HOME. */
  user?: AppIdentity | undefined;
}

export interface ProcessIdentity {
  /** `web`, another process type (`worker`…), or a one-shot command: `install`, `build`, `release`, `run`. */
  process: string;
  /** Web instances only: where to listen (PORT, with HOST=127.0.0.1). */
  port?: number;
  /** How a restarted agent recognises the process (SKIFF_INSTANCE=…, SKIFF_TASK=…). */
  marker?: Record<string, string>;
}

/**
 * A process's whole environment: a few basics from the agent's own, the app's `env:` and secrets,
 * then what skiff sets (these win: skiff.yml cannot set them, see RESERVED_ENV in config/schema.ts).
 */
export function processEnvironment(
  release: ReleaseEnvironment,
  identity: ProcessIdentity,
): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    INHERITED_ENV.filter((key) => process.env[key] !== undefined).map((key) => [key, process.env[key]]),
  );
  return {
    ...inherited,
    // An isolated app's HOME is its own (npm's cache goes there), and USER names who it runs as.
    ...(release.user ? { HOME: release.user.home, USER: release.user.name, LOGNAME: release.user.name } : {}),
    ...release.vars,
    SKIFF_APP: release.app,
    SKIFF_ENV: release.env,
    SKIFF_RELEASE: release.release,
    SKIFF_PROCESS: identity.process,
    SKIFF_STORAGE_DIR: release.storageDir,
    ...(identity.port !== undefined ? { PORT: String(identity.port), HOST: "127.0.0.1" } : {}),
    ...identity.marker,
  };
}
