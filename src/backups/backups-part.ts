import { rmSync } from "node:fs";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { AlertMessage } from "../alerts/message.js";
import type { SecretLookup } from "../secrets/secret-store.js";
import type { BackupRecord } from "../store/backups.js";
import type { DataDir } from "../store/data-dir.js";
import type { Store } from "../store/store.js";
import type { LiveRestoreHook } from "./live-restore.js";
import { BackupMetrics } from "./metrics.js";
import { BackupScheduler } from "./scheduler.js";
import { BackupService } from "./service.js";

export interface BackupsPartOptions {
  store: Store;
  dataDir: DataDir;
  secrets: SecretLookup;
  logger: Logger;
  /** The app's alert channels. */
  alert: (app: string, message: AlertMessage) => void;
  /** The agent's Prometheus registry. */
  registry: Registry;
  liveRestore: LiveRestoreHook;
  bootId: string;
}

/**
 * The backups part of the agent: the service (take, verify, restore, prune) and its scheduler, started
 * after the live releases are back and stopped before the ledger closes.
 */
export class BackupsPart {
  readonly service: BackupService;
  private readonly scheduler: BackupScheduler;

  constructor(private readonly options: BackupsPartOptions) {
    const metrics = new BackupMetrics(options.registry);
    const logger = options.logger.child({ part: "backups" });
    this.service = new BackupService({ ...options, logger, metrics });
    this.scheduler = new BackupScheduler({
      store: options.store,
      run: (input) => this.service.backUp(input),
      alert: options.alert,
      metrics,
      logger,
    });
  }

  start(): void {
    const unfinished = this.options.store.backups.failUnfinished(Date.now());
    if (unfinished > 0) this.options.logger.warn({ unfinished }, "backups cut short by the agent's stop");
    // Snapshots and scratch copies of backups cut short (each as large as its database).
    rmSync(this.options.dataDir.path("backups", ".staging"), { recursive: true, force: true });
    this.scheduler.start();
  }

  /** A deploy, rollback or promote finished: the live configs (and their backups:) may have changed. */
  refresh(): void {
    this.scheduler.refresh();
  }

  /**
   * The deployer calls this (injected by the agent) in the `released` step, before the release
   * command, and fails the deploy when it throws. Each configured database is backed up and recorded
   * against the release (store.backups.forRelease, shown by `skiff releases`).
   */
  backupBeforeRelease(app: string, env: string, releaseId: string): Promise<BackupRecord[]> {
    return this.service.backupBeforeRelease(app, env, releaseId);
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
  }
}
