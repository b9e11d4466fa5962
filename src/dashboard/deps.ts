import type { Logger } from "pino";
import type { Monitoring } from "../agent/monitoring.js";
import type { BackupService } from "../backups/service.js";
import type { Deployer } from "../deployer/deployer.js";
import type { Serving } from "../deployer/serving.js";
import type { DataDir } from "../store/data-dir.js";
import type { Store } from "../store/store.js";
import type { CertsResponse } from "../tls/certs-api.js";
import type { Session } from "./sessions.js";
import type { DashboardSettings } from "./settings.js";

/** What the dashboard reads and calls: the agent's own parts, the same ones its API uses. */
export interface DashboardDeps {
  token: string;
  store: Store;
  deployer: Deployer;
  serving: Serving;
  monitoring: Monitoring;
  dataDir: DataDir;
  /** The backups part (its ledger, schedule and "back up now"); absent in agents built without it. */
  backups?: BackupService | undefined;
  /** What `skiff certs` shows (GET /v1/certs); absent or `enabled: false` without --tls-listen. */
  certs?: (() => CertsResponse) | undefined;
  logger?: Logger | undefined;
  /** Overrides of the credential lifetimes and clock (tests). */
  dashboard?: Partial<DashboardSettings> | undefined;
}

/** Hono's typing for the dashboard's routes: the session the request was authenticated by. */
export interface DashboardEnv {
  Variables: { session: Session; sessionId: string };
}
