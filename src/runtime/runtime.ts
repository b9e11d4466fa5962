import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { WEB } from "../config/processes.js";
import type { AppConfig } from "../config/schema.js";
import { type ContainerEngine, containerFactory, reconcileAtStart } from "../containers/app-containers.js";
import { OperationError } from "../errors.js";
import type { Isolation } from "../isolation/isolation.js";
import { secretEnv } from "../secrets/app-secrets.js";
import { environmentSecrets, type SecretLookup } from "../secrets/secret-store.js";
import type { DataDir } from "../store/data-dir.js";
import type { ReleaseImage } from "../store/releases.js";
import type { Store } from "../store/store.js";
import type { TaskKind } from "../store/tasks.js";
import { type AdoptedProcess, planAdoption, releaseKey } from "./adopt.js";
import type { InstanceEvent } from "./instance.js";
import { hostInstances, type InstanceFactory } from "./instance-factory.js";
import { InstanceGroup } from "./instance-group.js";
import { LogFile } from "./log-file.js";
import { freePort } from "./ports.js";
import type { ReleaseEnvironment } from "./process-env.js";
import { groupsWithMarkers, stopGroup } from "./process-group.js";
import type { ReleaseInstance } from "./release-instance.js";
import { TaskMarker, taskMarkerEntry } from "./task-marker.js";

/** How long a process left behind by a crashed agent gets to exit on SIGTERM. */
const ORPHAN_STOP_TIMEOUT_MS = 5_000;
/** How often logs are checked against their cap (apps write to them directly). */
const LOG_CAP_CHECK_MS = 5_000;

export interface RuntimeOptions {
  dataDir: DataDir;
  store: Store;
  logger: Logger;
  logCapBytes?: number;
  /** Where the values of an app's `secrets:` come from (the agent's secret store, then its environment). */
  secrets?: SecretLookup;
  /** The Docker engine and this agent's id on it: container apps run there (absent: they are refused). */
  containers?: ContainerEngine;
  /** Whether apps run as their own users (src/isolation/); as the agent's user when absent. */
  isolation?: Isolation;
}

/** What a launch needs to know of a release: whose files run, where, and how (a Release has it all). */
export interface LaunchSpec {
  app: string;
  /** The environment it runs in: its storage and SKIFF_ENV. */
  env: string;
  /** The release whose files run. */
  artifact: string;
  config: AppConfig;
  /** A container release's pinned image (its containers are created from this id, never a tag). */
  image?: ReleaseImage | null;
  /** Variables composed for it elsewhere (its accessories' `app_env`); its own `env:` wins over them. */
  extraEnv?: Record<string, string>;
}

/**
 * Supervises release processes: launches instance groups (web instances on free ports, and every other
 * process type), records each process in the ledger, and on start stops whatever a crashed agent left
 * running, so nothing ever runs twice.
 */
export class Runtime {
  private readonly groups = new Set<InstanceGroup>();
  private readonly logs = new Map<string, LogFile>();
  /** Running releases an earlier agent left, waiting for recovery to claim them (by app/artifact). */
  private adoptable = new Map<string, AdoptedProcess[]>();
  private capTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RuntimeOptions) {}

  /**
   * Deals with processes recorded as running by an earlier agent (a reload, a restart, a crash). App
   * instances (found by their SKIFF_INSTANCE marker) of a release `keep` wants are kept for `claim`;
   * the others, and one-shot tasks such as builds (SKIFF_TASK, see task-marker.ts), are stopped.
   * Resolves to how many process groups it stopped.
   */
  async start(keep: (app: string, artifact: string) => boolean = () => false): Promise<number> {
    const { store, logger, containers } = this.options;
    this.capTimer = setInterval(() => {
      for (const log of this.logs.values()) log.enforceCap();
    }, LOG_CAP_CHECK_MS);
    this.capTimer.unref();
    const records = store.instances.running();
    // Containers first: their processes carry SKIFF_INSTANCE too, and must be stopped (and removed)
    // through the engine, not signalled behind its back by the marker scan below.
    const removed = containers
      ? await reconcileAtStart(containers, new Set(records.map((r) => r.id)), logger)
      : 0;
    const tasks = store.tasks.all();
    const found = groupsWithMarkers(
      new Set([...records.map((r) => `SKIFF_INSTANCE=${r.id}`), ...tasks.map((t) => taskMarkerEntry(t.id))]),
    );
    const plan = planAdoption(records, found, keep);
    this.adoptable = plan.adopt;
    const orphans = [
      ...plan.stop.map(({ record, pgid }) => ({ pgid, what: `instance ${record.idx} of ${record.app}` })),
      ...tasks.flatMap((t) => {
        const pgid = found.get(taskMarkerEntry(t.id));
        return pgid === undefined ? [] : [{ pgid, what: `${t.kind} of ${t.app} ${t.release ?? ""}` }];
      }),
    ];
    await Promise.all(
      orphans.map(async ({ pgid, what }) => {
        const how = await stopGroup(pgid, ORPHAN_STOP_TIMEOUT_MS);
        logger.info({ pgid, how, what }, "stopped a process left behind by an earlier agent");
      }),
    );
    for (const { record } of plan.stop) store.instances.remove(record.id);
    for (const record of plan.gone) store.instances.remove(record.id);
    for (const task of tasks) store.tasks.remove(task.id);
    return removed + orphans.length;
  }

  /**
   * The running processes of a release an earlier agent left, as a group this runtime supervises,
   * when there are exactly as many as `config` asks for; undefined otherwise (start it afresh).
   */
  claim(spec: LaunchSpec): InstanceGroup | undefined {
    const { app, artifact, config } = spec;
    const key = releaseKey(app, artifact);
    const adopted = this.adoptable.get(key);
    const web = config.processes.find((p) => p.name === WEB)?.instances ?? 0;
    // Only web processes are adopted: the ledger does not record a process's type, so a release with
    // workers is started afresh (its old processes stopped), as before adoption existed.
    const onlyWeb = config.processes.every((p) => p.name === WEB);
    if (!adopted || !onlyWeb || adopted.length !== web || config.container) return undefined;
    this.adoptable.delete(key);
    const group = new InstanceGroup({
      app,
      artifact,
      config,
      instances: hostInstances({
        app,
        artifact,
        dir: this.options.dataDir.releaseDir(app, artifact),
        release: this.environment(spec),
      }),
      ports: adopted.map((a) => a.port),
      adopted,
      log: (process) => this.log(app, artifact, process),
      onEvent: (instance, event) => this.onInstanceEvent(app, artifact, instance, event),
    });
    this.groups.add(group);
    return group;
  }

  /** After recovery: stops the processes of releases no one claimed. */
  async stopUnclaimed(): Promise<number> {
    const { store, logger } = this.options;
    const left = [...this.adoptable.values()].flat();
    this.adoptable.clear();
    await Promise.all(
      left.map(async ({ id, pid }) => {
        const how = await stopGroup(pid, ORPHAN_STOP_TIMEOUT_MS);
        store.instances.remove(id);
        logger.info({ pgid: pid, how }, "stopped a process left behind by an earlier agent");
      }),
    );
    return left.length;
  }

  /** Leaves every app process running, unsupervised, for the next agent to adopt (a reload, --keep-apps). */
  detach(): void {
    clearInterval(this.capTimer);
    for (const group of this.groups) group.detach();
    this.groups.clear();
  }

  /**
   * Marks a one-shot process about to run for a release (an install, a build, a release command), so a
   * crash never leaves it running.
   */
  task(kind: TaskKind, app: string, release: string | null, command: string): TaskMarker {
    return new TaskMarker(this.options.store.tasks, { kind, app, release, command });
  }

  /**
   * The release log, shared by the install, the build, the release command and every web instance; or,
   * with `process`, the log of another process type (`worker`), one file per type.
   */
  log(app: string, artifact: string, process: string = WEB): LogFile {
    const key = `${app}/${artifact}/${process}`;
    let log = this.logs.get(key);
    if (!log) {
      const file = this.options.dataDir.logFile(app, artifact, process);
      mkdirSync(dirname(file), { recursive: true });
      log = new LogFile(file, this.options.logCapBytes);
      this.logs.set(key, log);
    }
    return log;
  }

  async launch(spec: LaunchSpec): Promise<InstanceGroup> {
    const { app, artifact, config } = spec;
    const used = new Set([...this.groups].flatMap((g) => g.web.map((i) => i.port ?? 0)));
    const ports: number[] = [];
    const web = config.processes.find((p) => p.name === WEB)?.instances ?? 0;
    for (let i = 0; i < web; i++) {
      const port = await freePort("127.0.0.1", used);
      used.add(port);
      ports.push(port);
    }
    const group = new InstanceGroup({
      app,
      artifact,
      config,
      instances: await this.instanceFactory(spec),
      ports,
      log: (process) => this.log(app, artifact, process),
      onEvent: (instance, event) => this.onInstanceEvent(app, artifact, instance, event),
    });
    this.groups.add(group);
    group.start();
    return group;
  }

  /** How the release's instances run: containers of its pinned image for a container app, else processes. */
  private async instanceFactory(spec: LaunchSpec): Promise<InstanceFactory> {
    const { app, artifact, config } = spec;
    const release = this.environment(spec);
    if (!config.container) {
      return hostInstances({ app, artifact, dir: this.options.dataDir.releaseDir(app, artifact), release });
    }
    const { containers } = this.options;
    if (!containers) {
      throw new OperationError(
        "this is a container app (image:/dockerfile:) and the agent has no Docker engine: install docker.io and start dockerd, or set --docker-socket",
      );
    }
    if (!spec.image) throw new OperationError(`${artifact} has no image recorded; deploy it again`);
    return containerFactory(containers, spec, spec.image.id, release);
  }

  /**
   * What every process of a release gets (its instances, install, build and release command, and a
   * one-off command in it): the app, its environment and storage (created here), its `env:`, then the
   * values of its `secrets:`, read now. Compose a process's whole environment from it with
   * processEnvironment (process-env.ts).
   */
  environment(spec: LaunchSpec): ReleaseEnvironment {
    const { app, env, artifact, config } = spec;
    const storageDir = this.options.dataDir.storageDir(app, env);
    mkdirSync(storageDir, { recursive: true, mode: 0o700 });
    return {
      app,
      env,
      release: artifact,
      storageDir,
      user: this.options.isolation?.identity(app, config),
      vars: {
        ...spec.extraEnv,
        ...config.env,
        ...secretEnv(config.secrets, this.options.secrets ?? environmentSecrets),
      },
    };
  }

  /**
   * Before a release's code runs (its install, build, release command or processes): its storage exists
   * and, when apps are isolated, its user exists and owns the release, the storage and the app's HOME.
   */
  async prepare(spec: LaunchSpec): Promise<void> {
    const { app, env, artifact, config } = spec;
    const storage = this.options.dataDir.storageDir(app, env);
    mkdirSync(storage, { recursive: true, mode: 0o700 });
    await this.options.isolation?.prepare(app, config, {
      release: this.options.dataDir.releaseDir(app, artifact),
      storage,
    });
  }

  /** Who an app's processes run as, for `skiff status`: its user, or undefined for the agent's own. */
  userOf(app: string, config: AppConfig): string | undefined {
    const isolation = this.options.isolation;
    return isolation?.enabled ? isolation.userName(app, config) : undefined;
  }

  async retire(group: InstanceGroup): Promise<void> {
    await group.stop();
    this.groups.delete(group);
  }

  /** Forgets the log handles of a release whose files are being pruned. */
  closeLog(app: string, artifact: string): void {
    const prefix = `${app}/${artifact}/`;
    for (const [key, log] of this.logs) {
      if (!key.startsWith(prefix)) continue;
      log.close();
      this.logs.delete(key);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.capTimer);
    await Promise.all([...this.groups].map((group) => this.retire(group)));
    for (const log of this.logs.values()) log.close();
    this.logs.clear();
  }

  private onInstanceEvent(
    app: string,
    artifact: string,
    instance: ReleaseInstance,
    event: InstanceEvent,
  ): void {
    const { store, logger } = this.options;
    if (event.name === "spawned") {
      store.instances.upsert({
        id: instance.id,
        app,
        artifact,
        idx: instance.idx,
        pid: instance.pid ?? null,
        // 0: a process type that listens on no port.
        port: instance.port ?? 0,
        state: "running",
        startedAt: instance.startedAt,
      });
    } else if (event.name === "stopped") {
      store.instances.remove(instance.id);
    }
    if (event.name === "exited" || event.name === "restarting") {
      store.events.add({
        app,
        release: artifact,
        kind: "instance",
        name: event.name,
        ok: false,
        at: Date.now(),
        message: event.message,
        data: event.data,
      });
      logger.warn(
        { app, release: artifact, process: instance.process, instance: instance.idx, ...event.data },
        event.message,
      );
    }
  }
}
