import type { Logger } from "pino";
import type { AlertMessage } from "../alerts/message.js";
import { PREVIEW_PREFIX } from "../environments/names.js";
import type { BackupRecord, BackupTrigger } from "../store/backups.js";
import type { Store } from "../store/store.js";
import { backupStaleMessage } from "./alert-messages.js";
import type { BackupSpec } from "./config.js";
import type { BackupMetrics } from "./metrics.js";
import { isStale, nextDue, type Schedule, scheduleOf } from "./schedule.js";

export interface BackupSchedulerOptions {
  store: Store;
  /** Takes one backup of one database (BackupService.backUp). */
  run: (input: { app: string; env: string; name: string; trigger: BackupTrigger }) => Promise<BackupRecord[]>;
  alert?: (app: string, message: AlertMessage) => void;
  metrics?: BackupMetrics;
  logger: Logger;
  now?: () => number;
}

interface Job {
  app: string;
  env: string;
  spec: BackupSpec;
  schedule: Schedule;
  /** When the agent began expecting backups of it: staleness and the first run count from here. */
  watchingSince: number;
  timer: NodeJS.Timeout | undefined;
  staleTimer: NodeJS.Timeout | undefined;
  /** Alerted as stale, and not good again since: one alert per stale spell. */
  stale: boolean;
  running: Promise<void> | undefined;
}

/** setTimeout's limit (about 24.8 days); a longer wait is taken in steps. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Runs each database's backups on its schedule, from the ledger rather than from memory: the next run
 * is counted from the last attempt recorded, so a run missed while the agent was down happens as soon as
 * it is back. Watches staleness too: no good backup newer than 1.5 periods of the schedule is alerted
 * once, whatever the cause (a scheduler that stopped, runs that all fail, a clock that jumped).
 */
export class BackupScheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly options: BackupSchedulerOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.refresh();
  }

  /** Follows what is live: call after every deploy, rollback or removal (and at start). */
  refresh(): void {
    if (this.stopped) return;
    const wanted = new Map<string, { app: string; env: string; spec: BackupSpec; since: number }>();
    for (const release of this.options.store.releases.allLive()) {
      if (release.env.startsWith(PREVIEW_PREFIX)) continue;
      for (const spec of release.config.backups ?? []) {
        wanted.set(jobKey(release.app, release.env, spec.name), {
          app: release.app,
          env: release.env,
          spec,
          since: release.liveAt ?? release.createdAt,
        });
      }
    }
    for (const [key, job] of this.jobs) {
      const next = wanted.get(key);
      if (next && JSON.stringify(next.spec) === JSON.stringify(job.spec)) {
        wanted.delete(key);
        continue;
      }
      this.clear(job);
      this.jobs.delete(key);
    }
    for (const [key, { app, env, spec, since }] of wanted) {
      const job: Job = {
        app,
        env,
        spec,
        schedule: scheduleOf(spec.schedule),
        watchingSince: Math.min(since, this.now()),
        timer: undefined,
        staleTimer: undefined,
        stale: false,
        running: undefined,
      };
      this.jobs.set(key, job);
      const last = this.options.store.backups.lastGood(app, env, spec.name);
      if (last)
        this.options.metrics?.setLast(
          { app, env, database: spec.name },
          last.createdAt,
          last.bytes ?? 0,
          last.durationMs ?? 0,
        );
      this.checkStale(job);
      this.arm(job, true);
    }
  }

  /** Stops the timers and waits (up to `timeoutMs`) for backups in progress. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopped = true;
    const running = [...this.jobs.values()].flatMap((job) => {
      this.clear(job);
      return job.running ? [job.running] : [];
    });
    this.jobs.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** What the scheduler watches, for tests and status. */
  watched(): Array<{ app: string; env: string; name: string; nextAt: number; stale: boolean }> {
    return [...this.jobs.values()].map((job) => ({
      app: job.app,
      env: job.env,
      name: job.spec.name,
      nextAt: this.due(job),
      stale: job.stale,
    }));
  }

  private due(job: Job): number {
    return nextDue(
      job.schedule,
      this.options.store.backups.lastAttemptAt(job.app, job.env, job.spec.name),
      job.watchingSince,
    );
  }

  /** Sets the timer for the next run; a due time already past (a missed run) runs now. */
  private arm(job: Job, atStart = false): void {
    if (this.stopped || this.jobs.get(jobKey(job.app, job.env, job.spec.name)) !== job) return;
    const due = this.due(job);
    if (due === Number.POSITIVE_INFINITY) return;
    const delay = due - this.now();
    if (delay <= 0) {
      this.runJob(job, atStart ? "missed" : "schedule");
      return;
    }
    job.timer = setTimeout(
      () => {
        job.timer = undefined;
        if (delay > MAX_DELAY) this.arm(job);
        else this.runJob(job, "schedule");
      },
      Math.min(delay, MAX_DELAY),
    );
    job.timer.unref();
    if (!job.staleTimer) {
      const every = Math.min(60_000, Math.max(1_000, job.schedule.periodMs(new Date(this.now())) / 4));
      job.staleTimer = setInterval(() => this.checkStale(job), every);
      job.staleTimer.unref();
    }
  }

  private runJob(job: Job, trigger: BackupTrigger): void {
    const { app, env, spec } = job;
    job.running = this.options
      .run({ app, env, name: spec.name, trigger })
      .then(
        () => undefined,
        (error) =>
          this.options.logger.error(
            { app, env, database: spec.name, err: String(error) },
            "scheduled backup",
          ),
      )
      .finally(() => {
        job.running = undefined;
        if (this.stopped) return;
        this.checkStale(job);
        this.arm(job);
      });
  }

  private checkStale(job: Job): void {
    if (this.stopped) return;
    const { app, env, spec } = job;
    const lastGoodAt = this.options.store.backups.lastGood(app, env, spec.name)?.createdAt;
    const now = this.now();
    const stale = isStale(job.schedule, lastGoodAt, job.watchingSince, now);
    if (stale && !job.stale) {
      this.options.logger.warn({ app, env, database: spec.name }, "no recent good backup");
      this.options.alert?.(
        app,
        backupStaleMessage({ app, env, name: spec.name, schedule: spec.schedule, lastGoodAt }, now),
      );
    }
    job.stale = stale;
  }

  private clear(job: Job): void {
    clearTimeout(job.timer);
    clearInterval(job.staleTimer);
    job.timer = undefined;
    job.staleTimer = undefined;
  }
}

function jobKey(app: string, env: string, name: string): string {
  return `${app}/${env}/${name}`;
}
