import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Scheduler, type SchedulerOptions } from "./scheduler.js";

// Fake timers make the schedule exact: a run is late only if the scheduler made it late.
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A job that takes `ms` of the fake clock: no real time passes, so the schedule is exact. */
const takes = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function scheduler(options: SchedulerOptions = {}): Scheduler {
  return new Scheduler({ now: () => Date.now(), ...options });
}

describe("Scheduler", () => {
  it("runs each job at its interval, counted from when it was due", async () => {
    const s = scheduler();
    const starts: number[] = [];
    s.add(
      "a",
      100,
      async () => {
        starts.push(Date.now());
        await takes(30); // the run's own duration must not push the next one back
      },
      10,
    );
    s.start();
    await vi.advanceTimersByTimeAsync(450);
    await s.stop();
    expect(starts).toEqual([10, 110, 210, 310, 410]);
  });

  it("jitters the first run within one interval", async () => {
    const s = scheduler({ random: () => 0.25 });
    const starts: number[] = [];
    s.add("a", 1000, async () => void starts.push(Date.now()));
    s.start();
    await vi.advanceTimersByTimeAsync(1300);
    await s.stop();
    expect(starts).toEqual([250, 1250]);
  });

  it("keeps at most `concurrency` runs in flight and reports how late the queued ones start", async () => {
    const late: number[] = [];
    const s = scheduler({ concurrency: 3, onLate: (ms) => late.push(ms) });
    let inFlight = 0;
    let peak = 0;
    for (let i = 0; i < 9; i++) {
      s.add(
        `job-${i}`,
        10_000,
        async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await takes(100);
          inFlight--;
        },
        0,
      );
    }
    s.start();
    await vi.advanceTimersByTimeAsync(350);
    await s.stop();
    expect(peak).toBe(3);
    expect(late.sort((a, b) => a - b)).toEqual([0, 0, 0, 100, 100, 100, 200, 200, 200]);
  });

  it("skips a turn while the previous run of the same job is still going", async () => {
    const s = scheduler();
    let running = 0;
    let overlapped = false;
    let runs = 0;
    s.add(
      "slow",
      50,
      async () => {
        runs++;
        if (running > 0) overlapped = true;
        running++;
        await takes(120);
        running--;
      },
      0,
    );
    s.start();
    await vi.advanceTimersByTimeAsync(390);
    const stopped = s.stop();
    await vi.advanceTimersByTimeAsync(100);
    await stopped;
    expect(overlapped).toBe(false);
    expect(runs).toBe(3); // at 0, 150, 300: the turns at 50, 100, 200, 250, 350 are skipped
    expect(s.skipped).toBe(5);
  });

  it("stops running a removed job and replaces a job added again under the same id", async () => {
    const s = scheduler();
    const seen: string[] = [];
    s.add("a", 100, async () => void seen.push("a1"), 0);
    s.add("b", 100, async () => void seen.push("b"), 0);
    s.start();
    await vi.advanceTimersByTimeAsync(50);
    s.remove("b");
    s.add("a", 100, async () => void seen.push("a2"), 20);
    await vi.advanceTimersByTimeAsync(130); // the new "a" runs at 70 and 170; "b" never again
    await s.stop();
    expect(seen.sort()).toEqual(["a1", "a2", "a2", "b"]);
    expect(s.size).toBe(1);
    expect(s.has("b")).toBe(false);
  });

  it("re-arms its one timer when a job due sooner is added", async () => {
    const s = scheduler();
    const starts: Array<[string, number]> = [];
    s.add("late", 10_000, async () => void starts.push(["late", Date.now()]), 5000);
    s.start();
    await vi.advanceTimersByTimeAsync(100);
    s.add("soon", 10_000, async () => void starts.push(["soon", Date.now()]), 50);
    await vi.advanceTimersByTimeAsync(5000);
    await s.stop();
    expect(starts).toEqual([
      ["soon", 150],
      ["late", 5000],
    ]);
  });

  it("keeps the schedule after a job throws, and reports the error", async () => {
    const errors: string[] = [];
    const s = scheduler({ onError: (id, error) => errors.push(`${id}: ${(error as Error).message}`) });
    let runs = 0;
    s.add(
      "flaky",
      100,
      async () => {
        runs++;
        throw new Error("probe crashed");
      },
      0,
    );
    s.start();
    await vi.advanceTimersByTimeAsync(250);
    await s.stop();
    expect(runs).toBe(3);
    expect(errors).toEqual(["flaky: probe crashed", "flaky: probe crashed", "flaky: probe crashed"]);
  });

  it("after a stall, skips the missed turns instead of bursting", async () => {
    let clockOffset = 0;
    const s = scheduler({ now: () => Date.now() + clockOffset });
    let runs = 0;
    s.add("a", 100, async () => void runs++, 0);
    s.start();
    await vi.advanceTimersByTimeAsync(10); // ran at 0
    clockOffset = 1000; // the process was suspended for a second
    await vi.advanceTimersByTimeAsync(200);
    await s.stop();
    expect(runs).toBe(3); // once at 0, once right after the stall, once an interval later
  });

  it("stop() waits for runs in flight and starts no more", async () => {
    const s = scheduler();
    let finished = 0;
    s.add(
      "a",
      100,
      async () => {
        await takes(80);
        finished++;
      },
      0,
    );
    s.start();
    await vi.advanceTimersByTimeAsync(10);
    const stopped = s.stop();
    await vi.advanceTimersByTimeAsync(500);
    await stopped;
    expect(finished).toBe(1);
  });
});
