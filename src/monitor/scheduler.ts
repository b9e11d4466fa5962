import FlatQueue from "flatqueue";

/**
 * Runs thousands of periodic jobs with one timer. Jobs sit in a queue ordered by when they are
 * due; the timer is armed for the earliest one. Each job's next run is computed from when it was
 * due, not from when it finished, so lateness never accumulates. At most `concurrency` jobs run at
 * once; a job whose previous run has not finished skips that turn instead of piling up.
 */

export type Job = () => Promise<void>;

export interface SchedulerOptions {
  /** Upper bound on jobs running at the same time. */
  concurrency?: number;
  /** How late each run started against its due time, in ms (for drift figures). */
  onLate?: (lateMs: number) => void;
  /** A run that threw; the job stays scheduled. */
  onError?: (id: string, error: unknown) => void;
  /** Monotonic clock in ms; injectable for tests. */
  now?: () => number;
  random?: () => number;
}

interface Entry {
  id: string;
  intervalMs: number;
  job: Job;
  due: number;
  /** Queued to run or running: the next turn is skipped until it finishes. */
  busy: boolean;
  removed: boolean;
}

export class Scheduler {
  private readonly queue = new FlatQueue<Entry>();
  private readonly entries = new Map<string, Entry>();
  /** Runs that are due and wait for a free slot, oldest first, with the time each was due. */
  private ready: Array<{ entry: Entry; due: number }> = [];
  private readyHead = 0;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly onLate: ((lateMs: number) => void) | undefined;
  private readonly onError: ((id: string, error: unknown) => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private running = false;
  /** Runs skipped because the previous run of the same job had not finished. */
  skipped = 0;

  constructor(options: SchedulerOptions = {}) {
    this.concurrency = options.concurrency ?? 64;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.onLate = options.onLate;
    this.onError = options.onError;
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /**
   * Schedule `job` every `intervalMs`. The first run comes after `firstDelayMs`, by default a random
   * point within one interval, so that monitors added together do not all fire together.
   * Adding an id again replaces the job.
   */
  add(id: string, intervalMs: number, job: Job, firstDelayMs = this.random() * intervalMs): void {
    this.remove(id);
    const entry: Entry = { id, intervalMs, job, due: this.now() + firstDelayMs, busy: false, removed: false };
    this.entries.set(id, entry);
    this.queue.push(entry, entry.due);
    if (this.running) this.arm();
  }

  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    // Left in the heap and skipped when it comes up: removal from the middle of a heap costs more.
    entry.removed = true;
    this.entries.delete(id);
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  /** No new runs start; resolves when the runs in flight have finished. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    this.ready = [];
    this.readyHead = 0;
    await Promise.allSettled([...this.inFlight]);
  }

  private arm(): void {
    this.dropRemoved();
    if (!this.running || this.queue.length === 0) return;
    const due = this.queue.peekValue()!;
    if (this.timer !== undefined && due >= this.timerDue) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - this.now()));
  }

  private tick(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.now();
    while (this.queue.length > 0 && this.queue.peekValue()! <= now) {
      const entry = this.queue.pop()!;
      if (entry.removed) continue;
      if (entry.busy) this.skipped++;
      else {
        entry.busy = true;
        this.ready.push({ entry, due: entry.due });
      }
      this.reschedule(entry, now);
    }
    this.drain();
    this.arm();
  }

  private reschedule(entry: Entry, now: number): void {
    entry.due += entry.intervalMs;
    // After a long stall (a blocked loop, a suspended machine) skip the missed turns rather than burst.
    if (entry.due <= now) entry.due += Math.ceil((now - entry.due) / entry.intervalMs) * entry.intervalMs;
    this.queue.push(entry, entry.due);
  }

  private drain(): void {
    while (this.running && this.inFlight.size < this.concurrency && this.readyHead < this.ready.length) {
      const { entry, due } = this.ready[this.readyHead++]!;
      if (this.readyHead === this.ready.length) {
        this.ready = [];
        this.readyHead = 0;
      }
      if (entry.removed) {
        entry.busy = false;
        continue;
      }
      this.onLate?.(this.now() - due);
      const run = this.runJob(entry);
      this.inFlight.add(run);
      void run.finally(() => {
        this.inFlight.delete(run);
        entry.busy = false;
        this.drain();
      });
    }
  }

  private async runJob(entry: Entry): Promise<void> {
    try {
      await entry.job();
    } catch (error) {
      this.onError?.(entry.id, error);
    }
  }

  private dropRemoved(): void {
    while (this.queue.length > 0 && this.queue.peek()!.removed) this.queue.pop();
  }
}
