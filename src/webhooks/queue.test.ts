import { describe, expect, it } from "vitest";
import { type Deferred, deferred } from "../test-support/wait.js";
import { CoalescingQueue } from "./queue.js";

/** A job runner whose jobs finish when the test says so, and that says when each one started. */
function controlledRunner() {
  const started: string[] = [];
  const jobs = new Map<string, { started: Deferred; done: Deferred }>();
  const job = (name: string) => {
    let entry = jobs.get(name);
    if (!entry) {
      entry = { started: deferred(), done: deferred() };
      jobs.set(name, entry);
    }
    return entry;
  };
  const run = (key: string, name: string) => {
    started.push(`${key}:${name}`);
    job(name).started.resolve();
    return job(name).done.promise;
  };
  /** Resolves once the queue has started `name`. */
  const whenStarted = (name: string) => job(name).started.promise;
  /** Finishes `name` once it has started (the queue starts jobs on a later turn). */
  const finish = async (name: string, error?: Error) => {
    await whenStarted(name);
    if (error) job(name).done.reject(error);
    else job(name).done.resolve();
  };
  return { run, started, finish, whenStarted };
}

describe("CoalescingQueue", () => {
  it("runs only the newest pending job after the running one", async () => {
    const { run, started, finish } = controlledRunner();
    const superseded: string[] = [];
    const queue = new CoalescingQueue(run, {
      onSuperseded: (_, dropped, newer) => superseded.push(`${dropped}→${newer}`),
    });
    expect(queue.push("hello/production", "c1")).toBe("started");
    expect(queue.push("hello/production", "c2")).toBe("queued");
    expect(queue.push("hello/production", "c3")).toBe("replaced");
    expect(queue.push("hello/production", "c4")).toBe("replaced");
    expect(queue.pendingJob("hello/production")).toBe("c4");
    await finish("c1");
    await finish("c4");
    await queue.idle();
    expect(started).toEqual(["hello/production:c1", "hello/production:c4"]);
    expect(superseded).toEqual(["c2→c3", "c3→c4"]);
    expect(queue.isRunning("hello/production")).toBe(false);
  });

  it("runs different keys side by side", async () => {
    const { run, started, finish, whenStarted } = controlledRunner();
    const queue = new CoalescingQueue(run);
    queue.push("a", "a1");
    queue.push("b", "b1");
    await Promise.all([whenStarted("a1"), whenStarted("b1")]);
    expect(started.sort()).toEqual(["a:a1", "b:b1"]);
    await finish("a1");
    await finish("b1");
    await queue.idle();
  });

  it("does not start the job before the caller's turn ends", async () => {
    const { run, started, finish } = controlledRunner();
    const queue = new CoalescingQueue(run);
    queue.push("a", "a1");
    expect(started).toEqual([]);
    expect(queue.isRunning("a")).toBe(true);
    await finish("a1");
    await queue.idle();
  });

  it("reports a failed job and carries on with the pending one", async () => {
    const { run, started, finish } = controlledRunner();
    const errors: string[] = [];
    const queue = new CoalescingQueue(run, {
      onError: (key, job, error) => errors.push(`${key}:${job}:${(error as Error).message}`),
    });
    queue.push("a", "a1");
    queue.push("a", "a2");
    await finish("a1", new Error("unhealthy"));
    await finish("a2");
    await queue.idle();
    expect(errors).toEqual(["a:a1:unhealthy"]);
    expect(started).toEqual(["a:a1", "a:a2"]);
  });

  it("starts afresh once a key went idle", async () => {
    const { run, finish } = controlledRunner();
    const queue = new CoalescingQueue(run);
    queue.push("a", "a1");
    await finish("a1");
    await queue.idle();
    expect(queue.push("a", "a2")).toBe("started");
    await finish("a2");
    await queue.idle();
  });

  it("on close drops pending jobs, lets the running one finish and takes no more", async () => {
    const { run, started, finish, whenStarted } = controlledRunner();
    const queue = new CoalescingQueue(run);
    queue.push("a", "a1");
    queue.push("a", "a2");
    await whenStarted("a1");
    const closed = queue.close();
    expect(queue.push("a", "a3")).toBe("closed");
    await finish("a1");
    await closed;
    expect(started).toEqual(["a:a1"]);
  });
});
