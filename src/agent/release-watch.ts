import { decideWatch } from "../metrics/watch.js";
import type { WatchLimits } from "../metrics/watch-config.js";
import { WatchCounter } from "../metrics/watch-counter.js";

const TICK_MS = 500;

/**
 * The closer look right after a switch: for `limits.windowMs` the proxy's counts for the new release
 * are judged twice a second; the first verdict to roll back ends the watch and calls `onSpike`.
 */
export class ReleaseWatch {
  readonly counter = new WatchCounter();
  private timer: NodeJS.Timeout | undefined;
  private readonly until: number;

  constructor(
    readonly release: string,
    private readonly limits: WatchLimits,
    private readonly healthy: () => boolean,
    private readonly onSpike: (reason: string) => void,
  ) {
    this.until = Date.now() + limits.windowMs;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  private tick(): void {
    const decision = decideWatch(this.counter.snapshot(this.healthy()), this.limits);
    if (decision.rollback) {
      this.stop();
      this.onSpike(decision.reason);
    } else if (Date.now() >= this.until) {
      this.stop();
    }
  }
}
