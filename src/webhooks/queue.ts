import { setImmediate as nextTurn } from "node:timers/promises";

export type PushOutcome = "started" | "queued" | "replaced" | "closed";

export interface QueueHooks<T> {
  /** A job that threw; the queue carries on with the next one. */
  onError?: (key: string, job: T, error: unknown) => void;
  /** A pending job that a newer one replaced before it started (it will never run). */
  onSuperseded?: (key: string, dropped: T, newer: T) => void;
}

/**
 * One job at a time per key (an app's environment, a preview), and while one runs, only the newest
 * pending job is kept: ten pushes during a deploy lead to one more deploy, of the last commit.
 * Different keys run side by side.
 */
export class CoalescingQueue<T> {
  private readonly running = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, T>();
  private closed = false;

  constructor(
    private readonly run: (key: string, job: T) => Promise<void>,
    private readonly hooks: QueueHooks<T> = {},
  ) {}

  /**
   * Starts `job` when nothing runs for `key` (on the next turn of the event loop, so that the caller can
   * answer its HTTP request first), else keeps it as the one pending job for `key`.
   */
  push(key: string, job: T): PushOutcome {
    if (this.closed) return "closed";
    if (!this.running.has(key)) {
      this.running.set(key, this.drain(key, job));
      return "started";
    }
    const replaced = this.pending.has(key);
    if (replaced) this.hooks.onSuperseded?.(key, this.pending.get(key) as T, job);
    this.pending.set(key, job);
    return replaced ? "replaced" : "queued";
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  pendingJob(key: string): T | undefined {
    return this.pending.get(key);
  }

  /** Resolves when no job runs or waits, for any key. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Takes no more jobs, forgets the pending ones and waits for the running ones to finish. */
  async close(): Promise<void> {
    this.closed = true;
    this.pending.clear();
    await this.idle();
  }

  private async drain(key: string, first: T): Promise<void> {
    await nextTurn();
    let job = first;
    for (;;) {
      try {
        await this.run(key, job);
      } catch (error) {
        this.hooks.onError?.(key, job, error);
      }
      if (!this.pending.has(key)) break;
      job = this.pending.get(key) as T;
      this.pending.delete(key);
    }
    this.running.delete(key);
  }
}
