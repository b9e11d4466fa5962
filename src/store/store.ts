import { Apps } from "./apps.js";
import { Backups } from "./backups.js";
import { type Db, openDb } from "./db.js";
import { Deliveries } from "./deliveries.js";
import { Events } from "./events.js";
import { Instances } from "./instances.js";
import { Leases } from "./leases.js";
import { AlertFailures, Incidents, MonitorStates } from "./monitoring.js";
import { Releases } from "./releases.js";
import { Runs } from "./runs.js";
import { Tasks } from "./tasks.js";

/** The ledger: one SQLite file, one module per table family. */
export class Store {
  readonly db: Db;
  readonly apps: Apps;
  readonly releases: Releases;
  readonly events: Events;
  readonly instances: Instances;
  readonly leases: Leases;
  readonly monitorStates: MonitorStates;
  readonly incidents: Incidents;
  readonly alertFailures: AlertFailures;
  readonly backups: Backups;
  readonly tasks: Tasks;
  readonly deliveries: Deliveries;
  readonly runs: Runs;

  constructor(file: string) {
    this.db = openDb(file);
    this.apps = new Apps(this.db);
    this.releases = new Releases(this.db);
    this.events = new Events(this.db);
    this.instances = new Instances(this.db);
    this.leases = new Leases(this.db);
    this.monitorStates = new MonitorStates(this.db);
    this.incidents = new Incidents(this.db);
    this.alertFailures = new AlertFailures(this.db);
    this.backups = new Backups(this.db);
    this.tasks = new Tasks(this.db);
    this.deliveries = new Deliveries(this.db);
    this.runs = new Runs(this.db);
  }

  close(): void {
    this.db.close();
  }
}
