import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach } from "vitest";
import type { AlertMessage } from "../../alerts/message.js";
import { parseAppConfig } from "../../config/load.js";
import { DataDir } from "../../store/data-dir.js";
import { Store } from "../../store/store.js";
import { useTempDirs } from "../../test-support/git-fixtures.js";
import type { LiveRestoreHook } from "../live-restore.js";
import { BackupMetrics } from "../metrics.js";
import { BackupService } from "../service.js";

export interface Harness {
  dataDir: DataDir;
  store: Store;
  service: BackupService;
  metrics: Registry;
  alerts: AlertMessage[];
  secrets: Map<string, string>;
  /** Where the app's SQLite file `path` lives in `env`'s storage, its folder created. */
  storagePath(path: string, env?: string): string;
  /** Registers another skiff.yml for the app (what a deploy does). */
  configure(yaml: string): void;
}

/**
 * A backup service on a real ledger in a temp data dir, with the app's skiff.yml registered as a deploy
 * would; alerts are collected, secrets are a map the test fills. Closed after each test.
 */
export function useBackupHarness(): (yaml: string, options?: { liveRestore?: LiveRestoreHook }) => Harness {
  const tempDir = useTempDirs();
  const stores: Store[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });
  return (yaml, options = {}) => {
    const dataDir = new DataDir(tempDir("skiff-backups-"));
    dataDir.create();
    const store = new Store(dataDir.db);
    stores.push(store);
    const configure = (text: string) => store.apps.register(parseAppConfig(text), Date.now());
    configure(yaml);
    const alerts: AlertMessage[] = [];
    const secrets = new Map<string, string>();
    const registry = new Registry();
    const service = new BackupService({
      store,
      dataDir,
      secrets: (name) => secrets.get(name),
      logger: pino({ level: process.env.SKIFF_TEST_LOG ?? "silent" }),
      alert: (_app, message) => alerts.push(message),
      metrics: new BackupMetrics(registry),
      ...(options.liveRestore ? { liveRestore: options.liveRestore } : {}),
    });
    return {
      dataDir,
      store,
      service,
      metrics: registry,
      alerts,
      secrets,
      configure,
      storagePath: (path, env = "production") => {
        const file = join(dataDir.storageDir(parseAppConfig(yaml).app, env), path);
        mkdirSync(dirname(file), { recursive: true });
        return file;
      },
    };
  };
}
