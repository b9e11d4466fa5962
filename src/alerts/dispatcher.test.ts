import { afterEach, describe, expect, it } from "vitest";
import { deferred, until } from "../test-support/wait.js";
import type { AlertChannel } from "./channel.js";
import { AlertDispatcher, backoff, type DeliveryResult, type DispatcherOptions } from "./dispatcher.js";
import { type AlertMessage, testMessage } from "./message.js";
import { ntfyChannel } from "./ntfy.js";
import { slackChannel } from "./slack.js";
import { type Receiver, type Reply, startReceiver } from "./test-support/receivers.js";
import { webhookChannel } from "./webhook.js";

const FAST_RETRY = { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 2000 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(reply?: (n: number) => Reply): Promise<Receiver> {
  const r = await startReceiver(reply);
  cleanups.push(() => r.close());
  return r;
}

function dispatcher(channels: AlertChannel[], options: DispatcherOptions = {}) {
  const results: DeliveryResult[] = [];
  const d = new AlertDispatcher(channels, {
    retry: FAST_RETRY,
    random: () => 0.5,
    ...options,
    onResult: (r) => results.push(r),
  });
  cleanups.push(() => d.close(100));
  return { d, results };
}

function titled(title: string): AlertMessage {
  return { ...testMessage("hello", null), kind: "incident-opened", title };
}

const titles = (r: Receiver) => r.received.map((x) => JSON.parse(x.body).title);

describe("AlertDispatcher", () => {
  it("one slow channel never delays another", async () => {
    const slowAnswer = deferred();
    const slow = await receiver(() => ({ status: 200, hold: slowAnswer.promise }));
    const fast = await receiver();
    // A timeout no loaded machine reaches: the slow channel must still be on its first try below.
    const { d } = dispatcher(
      [webhookChannel("slow", `${slow.url}/`, undefined), webhookChannel("fast", `${fast.url}/`, undefined)],
      { retry: { ...FAST_RETRY, timeoutMs: 60_000 } },
    );
    const first = d.dispatch(titled("one"));
    void d.dispatch(titled("two"));
    // Both messages reach the fast channel while the slow one has not answered the first.
    await until("both messages at the fast channel", () => fast.received.length === 2);
    expect(titles(fast)).toEqual(["one", "two"]);
    expect(slow.received).toHaveLength(1);
    slowAnswer.resolve();
    const results = await first;
    expect(results.map((r) => [r.channel, r.ok, r.attempts])).toEqual([
      ["slow", true, 1],
      ["fast", true, 1],
    ]);
  });

  it("keeps the order of messages within a channel", async () => {
    const r = await receiver((n) => ({ status: 200, delayMs: n === 0 ? 200 : 0 }));
    const { d } = dispatcher([webhookChannel("w", `${r.url}/`, undefined)]);
    await Promise.all([d.dispatch(titled("down")), d.dispatch(titled("up"))]);
    expect(titles(r)).toEqual(["down", "up"]);
  });

  it("retries 5xx with backoff until it goes through, and says how many tries it took", async () => {
    const r = await receiver((n) => ({ status: n < 2 ? 503 : 200 }));
    const { d, results } = dispatcher([webhookChannel("w", `${r.url}/`, undefined)]);
    const [result] = await d.dispatch(titled("x"));
    expect(result).toMatchObject({
      channel: "w",
      ok: true,
      attempts: 3,
      messageKind: "incident-opened",
      app: "hello",
    });
    expect(r.received).toHaveLength(3);
    // 20ms then 40ms (half fixed, half jitter at random() = 0.5 → 75% of the exponential step)
    expect(r.received[1]!.at - r.received[0]!.at).toBeGreaterThanOrEqual(14);
    expect(r.received[2]!.at - r.received[1]!.at).toBeGreaterThanOrEqual(29);
    expect(results).toEqual([result]);
  });

  it("records a channel that keeps failing, after the last try", async () => {
    const r = await receiver(() => ({ status: 500 }));
    const { d, results } = dispatcher([webhookChannel("w", `${r.url}/`, undefined)]);
    const [result] = await d.dispatch(titled("x"));
    expect(result).toMatchObject({ ok: false, attempts: 4, error: "HTTP 500" });
    expect(results).toEqual([result]);
  });

  it("does not retry what a retry cannot fix (404)", async () => {
    const r = await receiver(() => ({ status: 404 }));
    const { d } = dispatcher([webhookChannel("w", `${r.url}/`, undefined)]);
    const [result] = await d.dispatch(titled("x"));
    expect(result).toMatchObject({ ok: false, attempts: 1, error: "HTTP 404" });
  });

  it("waits as long as a 429 asks, within the maximum delay", async () => {
    const r = await receiver((n) =>
      n === 0 ? { status: 429, headers: { "retry-after": "0.15" } } : { status: 200 },
    );
    const { d } = dispatcher([webhookChannel("w", `${r.url}/`, undefined)]);
    const [result] = await d.dispatch(titled("x"));
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(r.received[1]!.at - r.received[0]!.at).toBeGreaterThanOrEqual(140);
  });

  it("gives up a try that takes longer than the timeout", async () => {
    // Never answers: only the timeout can end a try.
    const r = await receiver(() => ({ status: 200, hold: new Promise(() => {}) }));
    const { d } = dispatcher([webhookChannel("w", `${r.url}/`, undefined)], {
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 100 },
    });
    const [result] = await d.dispatch(titled("x"));
    expect(result).toMatchObject({ ok: false, attempts: 2, error: "timed out" });
    expect(r.received).toHaveLength(2);
  });

  it("reports a refused connection without the channel's secret URL", async () => {
    const gone = await startReceiver();
    await gone.close();
    const secretUrl = `${gone.url}/services/T0/B0/${process.pid}${Date.now()}`;
    const { d } = dispatcher([slackChannel("slack", secretUrl)], {
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0, timeoutMs: 1000 },
    });
    const [result] = await d.dispatch(titled("x"));
    expect(result).toMatchObject({ ok: false, error: "connection failed (ECONNREFUSED)" });
    expect(JSON.stringify(result)).not.toContain(secretUrl);
  });

  it("scrubs a channel's own secret from the message it sends", async () => {
    const r = await receiver();
    const token = `tok-${process.pid}-${Date.now()}`;
    const { d } = dispatcher([ntfyChannel("ntfy", `${r.url}/t`, token)]);
    await d.dispatch({ ...titled("x"), details: [`upstream said: bad token ${token}`] });
    expect(r.received[0]!.body).toContain("upstream said: bad token ***");
    expect(r.received[0]!.body).not.toContain(token);
    expect(r.received[0]!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it("keeps every channel's secret out of every other channel's messages", async () => {
    const r = await receiver();
    const token = `tok-${process.pid}-${Date.now()}`;
    const { d } = dispatcher([
      webhookChannel("w", `${r.url}/`, undefined),
      ntfyChannel("ntfy", `${r.url}/t`, token),
    ]);
    await d.dispatch({ ...titled("x"), details: [`an error that quoted ${token}`] });
    const webhook = r.received.find((x) => x.path === "/")!;
    expect(webhook.body).toContain("an error that quoted ***");
    expect(webhook.body).not.toContain(token);
  });

  it("drops the oldest waiting message when a channel's queue is full, and records it", async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 100 }));
    const { d, results } = dispatcher([webhookChannel("w", `${r.url}/`, undefined)], { maxQueue: 2 });
    const all = await Promise.all(["a", "b", "c", "d"].map((t) => d.dispatch(titled(t))));
    // "a" was sending; "b" and "c" waited; "d" arrived and pushed "b" out.
    expect(all.map(([x]) => x!.ok)).toEqual([true, false, true, true]);
    expect(all[1]![0]!.error).toBe("dropped: more than 2 alerts waiting");
    expect(titles(r)).toEqual(["a", "c", "d"]);
    expect(results.filter((x) => !x.ok)).toHaveLength(1);
  });

  it("sendTest tries every channel once, at the same time, and reports each", async () => {
    // No channel answers before all three have their request: tried one after another, the first
    // would wait forever (the timeout is out of reach) and the test would time out.
    const allIn = deferred();
    let arrived = 0;
    const hold = () => {
      if (++arrived === 3) allIn.resolve();
      return allIn.promise;
    };
    const ok = await receiver(() => ({ status: 200, hold: hold() }));
    const broken = await receiver(() => ({ status: 500, hold: hold() }));
    const slow = await receiver(() => ({ status: 200, hold: hold() }));
    const { d, results } = dispatcher(
      [
        webhookChannel("webhook", `${ok.url}/`, undefined),
        webhookChannel("webhook-2", `${broken.url}/`, undefined),
        webhookChannel("webhook-3", `${slow.url}/`, undefined),
      ],
      { retry: { ...FAST_RETRY, timeoutMs: 600_000 } },
    );
    const report = await d.sendTest(testMessage("hello", null));
    expect([ok, broken, slow].map((r) => r.received.length)).toEqual([1, 1, 1]); // once each, no retry
    expect(report.map((r) => [r.channel, r.ok, r.attempts, r.error])).toEqual([
      ["webhook", true, 1, undefined],
      ["webhook-2", false, 1, "HTTP 500"],
      ["webhook-3", true, 1, undefined],
    ]);
    expect(JSON.parse(ok.received[0]!.body).kind).toBe("test");
    expect(results).toHaveLength(3);
  });

  it("close() abandons a channel stuck in retries and fails what still waits", async () => {
    const r = await receiver(() => ({ status: 503 }));
    // The next retry is ten minutes away: a close() that waited for it would time the test out.
    const d = new AlertDispatcher([webhookChannel("w", `${r.url}/`, undefined)], {
      retry: { attempts: 10, baseDelayMs: 600_000, maxDelayMs: 600_000, timeoutMs: 60_000 },
    });
    const first = d.dispatch(titled("a"));
    const second = d.dispatch(titled("b"));
    await until("the first try", () => r.received.length === 1);
    await d.close(50);
    expect((await first)[0]).toMatchObject({ ok: false, error: "the dispatcher is closed" });
    expect((await second)[0]).toMatchObject({ ok: false, error: "the dispatcher is closed" });
  });
});

describe("backoff", () => {
  const policy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000, timeoutMs: 1 };
  it.each([
    [1, 0, undefined, 500],
    [1, 1, undefined, 1000],
    [3, 1, undefined, 4000],
    [6, 1, undefined, 10_000],
    [1, 0, 3000, 3000],
    [1, 0, 60_000, 10_000],
  ])("attempt %d, random %d, retry-after %s → %d ms", (attempt, random, retryAfter, ms) => {
    expect(backoff(attempt, policy, () => random, retryAfter)).toBe(ms);
  });
});
