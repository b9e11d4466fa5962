import { type AlertChannel, DeliveryError } from "./channel.js";
import type { AlertChannelKind } from "./config.js";
import type { AlertKind, AlertMessage } from "./message.js";
import { redact } from "./redact.js";

/**
 * Sends each message to every channel. Every channel has its own queue, so a slow or dead channel
 * delays nothing but itself; within a channel messages keep their order (an incident's "down"
 * before its "back up"). Failed sends are retried with exponential backoff, and every final
 * outcome, good or bad, is reported to `onResult` for the ledger.
 */

export interface DeliveryResult {
  channel: string;
  kind: AlertChannelKind;
  messageKind: AlertKind;
  app: string;
  ok: boolean;
  attempts: number;
  durationMs: number;
  /** Why it failed, with every secret of the channel removed. */
  error?: string;
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per try. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  timeoutMs: 10_000,
};
/** `skiff alerts test` waits for the answer, so it tries once and not for long. */
export const TEST_RETRY: RetryPolicy = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0, timeoutMs: 10_000 };

export interface DispatcherOptions {
  retry?: Partial<RetryPolicy>;
  /** Every final outcome; the agent records failures in the ledger. */
  onResult?: (result: DeliveryResult) => void;
  /** Messages waiting per channel before the oldest is dropped (and reported as failed). */
  maxQueue?: number;
  random?: () => number;
}

interface Pending {
  message: AlertMessage;
  done: (result: DeliveryResult) => void;
}

/** What every delivery needs besides the channel and the message. */
interface DeliveryContext {
  retry: RetryPolicy;
  random: () => number;
  /** Every channel's secrets: none may appear in any message or error, whichever channel. */
  secrets: readonly string[];
}

export class AlertDispatcher {
  private readonly queues: ChannelQueue[];
  private readonly context: DeliveryContext;

  constructor(
    readonly channels: AlertChannel[],
    private readonly options: DispatcherOptions = {},
  ) {
    this.context = {
      retry: { ...DEFAULT_RETRY, ...options.retry },
      random: options.random ?? Math.random,
      secrets: channels.flatMap((c) => c.secrets),
    };
    this.queues = channels.map(
      (channel) => new ChannelQueue(channel, this.context, options.maxQueue ?? 100, (r) => this.report(r)),
    );
  }

  /**
   * Queue `message` on every channel. The promise settles when every channel is done with it,
   * retries included; callers on a hot path should not await it.
   */
  dispatch(message: AlertMessage): Promise<DeliveryResult[]> {
    return Promise.all(
      this.queues.map((queue) => new Promise<DeliveryResult>((done) => queue.push({ message, done }))),
    );
  }

  /** One try per channel, all at once, bypassing the queues: the answer for `skiff alerts test`. */
  sendTest(message: AlertMessage, retry: Partial<RetryPolicy> = {}): Promise<DeliveryResult[]> {
    const context = { ...this.context, retry: { ...TEST_RETRY, ...retry } };
    return Promise.all(
      this.channels.map(async (channel) => {
        const result = await deliver(channel, message, context);
        this.report(result);
        return result;
      }),
    );
  }

  /** Waits up to `timeoutMs` for queued messages, then closes the channels (SMTP connections). */
  async close(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(this.queues.map((q) => q.idle())), deadline]);
    clearTimeout(timer);
    for (const queue of this.queues) queue.stop();
    await Promise.allSettled(this.channels.map((c) => c.close?.()));
  }

  private report(result: DeliveryResult): void {
    try {
      this.options.onResult?.(result);
    } catch {
      // A broken recorder must not take delivery down with it.
    }
  }
}

class ChannelQueue {
  private readonly pending: Pending[] = [];
  private running = false;
  private readonly stopping = new AbortController();
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly channel: AlertChannel,
    private readonly context: DeliveryContext,
    private readonly maxQueue: number,
    private readonly report: (result: DeliveryResult) => void,
  ) {}

  push(item: Pending): void {
    if (this.stopping.signal.aborted) {
      item.done(this.finish(item.message, false, 0, 0, "the dispatcher is closed"));
      return;
    }
    this.pending.push(item);
    if (this.pending.length > this.maxQueue) {
      const dropped = this.pending.shift()!;
      dropped.done(
        this.finish(dropped.message, false, 0, 0, `dropped: more than ${this.maxQueue} alerts waiting`),
      );
    }
    if (!this.running) void this.run();
  }

  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Abandons the send in flight (and its retries) and everything still waiting. */
  stop(): void {
    this.stopping.abort();
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.pending.length > 0 && !this.stopping.signal.aborted) {
      const item = this.pending.shift()!;
      const result = await deliver(this.channel, item.message, this.context, this.stopping.signal);
      this.report(result);
      item.done(result);
    }
    for (const item of this.pending.splice(0))
      item.done(this.finish(item.message, false, 0, 0, "the dispatcher is closed"));
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private finish(
    message: AlertMessage,
    ok: boolean,
    attempts: number,
    durationMs: number,
    error: string,
  ): DeliveryResult {
    const result = resultOf(this.channel, message, ok, attempts, durationMs, error);
    this.report(result);
    return result;
  }
}

/** Try, and on a retryable failure wait (exponential, jittered, or as the receiver asked) and try again. */
async function deliver(
  channel: AlertChannel,
  message: AlertMessage,
  { retry, random, secrets }: DeliveryContext,
  stop?: AbortSignal,
): Promise<DeliveryResult> {
  const started = performance.now();
  const clean = redactMessage(message, secrets);
  let lastError = "";
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    if (stop?.aborted) {
      return resultOf(
        channel,
        message,
        false,
        attempt - 1,
        performance.now() - started,
        "the dispatcher is closed",
      );
    }
    try {
      await sendWithTimeout(channel, clean, retry.timeoutMs, stop);
      return resultOf(channel, message, true, attempt, performance.now() - started);
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      const retryable = !(error instanceof DeliveryError) || error.retryable;
      if (!retryable || attempt === retry.attempts) {
        return resultOf(
          channel,
          message,
          false,
          attempt,
          performance.now() - started,
          redact(lastError, secrets),
        );
      }
      await sleep(
        backoff(attempt, retry, random, error instanceof DeliveryError ? error.retryAfterMs : undefined),
        stop,
      );
    }
  }
  return resultOf(channel, message, false, 0, performance.now() - started, "no attempt was made");
}

export function backoff(
  attempt: number,
  retry: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponential = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  // Half fixed, half random: retries from many alerts do not land on the receiver together.
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return retryAfterMs === undefined ? jittered : Math.min(retry.maxDelayMs, Math.max(jittered, retryAfterMs));
}

async function sendWithTimeout(
  channel: AlertChannel,
  message: AlertMessage,
  timeoutMs: number,
  stop: AbortSignal | undefined,
): Promise<void> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  try {
    await channel.send(message, stop ? AbortSignal.any([timeout.signal, stop]) : timeout.signal);
  } finally {
    clearTimeout(timer);
  }
}

/** A message must never carry a channel's own secret, even if it ended up in an error text. */
function redactMessage(message: AlertMessage, secrets: readonly string[]): AlertMessage {
  if (secrets.length === 0) return message;
  const r = (text: string) => redact(text, secrets);
  return {
    ...message,
    title: r(message.title),
    details: message.details.map(r),
    command: { label: r(message.command.label), text: r(message.command.text) },
  };
}

function resultOf(
  channel: AlertChannel,
  message: AlertMessage,
  ok: boolean,
  attempts: number,
  durationMs: number,
  error?: string,
): DeliveryResult {
  return {
    channel: channel.id,
    kind: channel.kind,
    messageKind: message.kind,
    app: message.app,
    ok,
    attempts,
    durationMs: Math.round(durationMs),
    ...(error === undefined ? {} : { error }),
  };
}

/** Resolves after `ms`, or at once when `stop` fires. */
function sleep(ms: number, stop?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stop?.removeEventListener("abort", done);
      resolve();
    }
    stop?.addEventListener("abort", done, { once: true });
  });
}
