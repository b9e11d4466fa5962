import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * Everything the agent keeps, under one directory:
 *
 *   skiff.db                       the ledger (SQLite)
 *   token                          the API token (0600), unless --token-file
 *   secrets.json                   the secret store (0600): values for skiff.yml's *_env names
 *   agent.json                     pid and addresses of the running agent
 *   agent.lock                     the pid of the agent using this directory (one at a time)
 *   releases/<app>/<release>/      the unpacked files of each deployed release
 *   logs/<app>/<release>.log       install, build, release command and web output (rotated to .log.1 past the
 *                                  size cap); <release>.<type>.log for each other process type (worker…)
 *   uploads/                       tarballs while they are inspected and unpacked
 *   certs/                         ACME account key, one <host>.pem (key + chain) and <host>.json each (0600)
 *   storage/<app>/<env>/           the app's persistent files (SKIFF_STORAGE_DIR), kept across deploys and
 *                                  rollbacks (accessories' data under accessories/<name>/)
 *   backups/<app>/<env>/<db>/      local copies of the app's database backups (src/backups/)
 */
export class DataDir {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  create(): void {
    for (const dir of [this.root, this.path("releases"), this.path("logs"), this.path("uploads")]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  get db(): string {
    return this.path("skiff.db");
  }

  get token(): string {
    return this.path("token");
  }

  get secrets(): string {
    return this.path("secrets.json");
  }

  get lock(): string {
    return this.path("agent.lock");
  }

  get certs(): string {
    return this.path("certs");
  }

  get agentInfo(): string {
    return this.path("agent.json");
  }

  releaseDir(app: string, release: string): string {
    return this.path("releases", app, release);
  }

  appReleasesDir(app: string): string {
    return this.path("releases", app);
  }

  /** A release's log: the web process's (with the install, build and release command), or another type's. */
  logFile(app: string, release: string, process?: string): string {
    const name = process === undefined || process === "web" ? release : `${release}.${process}`;
    return this.path("logs", app, `${name}.log`);
  }

  appLogsDir(app: string): string {
    return this.path("logs", app);
  }

  /** The app's persistent storage in one environment, given to its processes as SKIFF_STORAGE_DIR. */
  storageDir(app: string, env: string): string {
    return this.path("storage", app, env);
  }

  /** Local backup archives of one database of the app in one environment. */
  backupsDir(app: string, env: string, database: string): string {
    return this.path("backups", app, env, database);
  }

  upload(id: string): string {
    return this.path("uploads", `${id}.tar.gz`);
  }
}
