import { execFile } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { promisify } from "node:util";
import type { Logger } from "pino";
import type { AppConfig } from "../config/schema.js";
import { errorMessage, OperationError } from "../errors.js";
import type { DataDir } from "../store/data-dir.js";
import { checkReachable, lockDownDataDir } from "./data-dir-modes.js";
import { giveTo } from "./ownership.js";
import { type IsolationFlag, type IsolationMode, isolationMode } from "./policy.js";
import { type AppUser, defaultUserName, findUser, validUserName } from "./users.js";

const run = promisify(execFile);

/** Where useradd puts the shell of an account nobody logs in to. */
const NOLOGIN = "/usr/sbin/nologin";

export interface IsolationOptions {
  flag: IsolationFlag;
  dataDir: DataDir;
  logger: Logger;
  /** The agent's effective uid; process.geteuid() unless a test says otherwise. */
  euid?: number | undefined;
}

/** An isolated app's account and the HOME it may write (npm's cache, a REPL's history). */
export interface AppIdentity extends AppUser {
  home: string;
}

/**
 * Runs each app as its own unprivileged user when the agent is root: `skiff-<app>` (created with
 * useradd on the app's first deploy) or skiff.yml's `user:` (which must exist). The user owns its
 * release, storage and home folders (0700); the rest of the data directory is the agent's (0600/0700
 * under a 0711 root), so an app cannot read the token, the secret store, the ledger or other apps.
 * Off, every method is a no-op and apps run as the agent's user.
 */
export class Isolation {
  readonly mode: IsolationMode;
  /** useradd calls one at a time: concurrent ones fight over /etc/passwd's lock. */
  private adding: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: IsolationOptions) {
    this.mode = isolationMode(options.flag, "euid" in options ? options.euid : process.geteuid?.());
  }

  get enabled(): boolean {
    return this.mode.enabled;
  }

  /** Locks the data directory down (every start, for a directory an older agent made). */
  start(): void {
    if (!this.enabled) return;
    const { root } = this.options.dataDir;
    checkReachable(root);
    mkdirSync(this.options.dataDir.path("home"), { recursive: true });
    lockDownDataDir(root);
  }

  /** Which account an app runs as, by name: skiff.yml's `user:`, else `skiff-<app>`. */
  userName(app: string, config: AppConfig): string {
    return config.user ?? defaultUserName(app);
  }

  /**
   * The account an app's processes run as, or undefined when isolation is off. Synchronous, for the
   * moment a process starts; `prepare` has made sure it exists.
   */
  identity(app: string, config: AppConfig): AppIdentity | undefined {
    if (!this.enabled) return undefined;
    const name = this.userName(app, config);
    const user = findUser(name);
    if (!user) throw missingUser(name, config);
    return { ...user, home: this.options.dataDir.path("home", app) };
  }

  /**
   * Before an app's code runs: its user exists (the default one is created on first use), and owns
   * the release's files, the environment's storage and the app's HOME, each 0700.
   */
  async prepare(app: string, config: AppConfig, dirs: { release: string; storage: string }): Promise<void> {
    if (!this.enabled) return;
    const user = await this.ensureUser(app, config);
    const { dataDir } = this.options;
    const home = dataDir.path("home", app);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    // The folders above each app's own: passed through, never listed.
    for (const dir of [dataDir.appReleasesDir(app), dataDir.path("storage"), dataDir.path("storage", app)])
      chmodSync(dir, 0o711);
    for (const dir of [dirs.release, dirs.storage, home]) await giveTo(dir, user);
  }

  private async ensureUser(app: string, config: AppConfig): Promise<AppUser> {
    const name = this.userName(app, config);
    const found = findUser(name);
    if (found) return found;
    if (config.user !== undefined) throw missingUser(name, config);
    const added = this.adding.then(() => this.addUser(name, app));
    this.adding = added.catch(() => undefined);
    return added;
  }

  private async addUser(name: string, app: string): Promise<AppUser> {
    const again = findUser(name);
    if (again) return again;
    // Names are checked before they reach useradd, and go as one argument each: no shell.
    if (!validUserName(name))
      throw new OperationError(`cannot create a user for ${app}: ${name} is not a valid user name`);
    try {
      await run("useradd", [
        "--system",
        "--user-group",
        "--no-create-home",
        "--home-dir",
        this.options.dataDir.path("home", app),
        "--shell",
        NOLOGIN,
        "--comment",
        `skiff app ${app}`,
        name,
      ]);
    } catch (error) {
      throw new OperationError(
        `could not create the system user ${name} for ${app}: ${errorMessage(error)}`,
        {
          hint: "create it by hand (useradd --system) or name an existing one with user: in skiff.yml",
        },
      );
    }
    const user = findUser(name);
    if (!user) throw new OperationError(`useradd created ${name} but /etc/passwd does not list it`);
    this.options.logger.info({ app, user: name, uid: user.uid }, `created the system user ${name}`);
    return user;
  }
}

function missingUser(name: string, config: AppConfig): OperationError {
  return config.user !== undefined
    ? new OperationError(`user: there is no user ${name} on the agent's machine`, {
        hint: `create it (useradd --system ${name}), or remove user: from skiff.yml to run as the app's own skiff- user`,
      })
    : new OperationError(`the app's user ${name} does not exist; deploy the app to create it`);
}
