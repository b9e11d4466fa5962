import { setTimeout as sleep } from "node:timers/promises";
import { OperationError } from "../errors.js";
import type { Lease, Leases } from "../store/leases.js";

const TTL_MS = 15_000;
const RENEW_EVERY_MS = 5_000;
const WAIT_POLL_MS = 200;

/** Another operation holds the app; the message names it. */
export class LockedError extends OperationError {
  constructor(readonly held: Lease) {
    super(
      `another operation on ${held.app} is running: ${held.operation} by ${held.who}, ${since(held.since)}`,
      {
        hint: "wait for it to finish, or pass --wait to queue behind it",
      },
    );
  }
}

function since(at: number): string {
  const seconds = Math.max(0, Math.round((Date.now() - at) / 1000));
  return `since ${new Date(at).toISOString()} (${seconds}s ago)`;
}

export interface LeaseRequest {
  app: string;
  holder: string;
  who: string;
  operation: string;
}

/**
 * A held lease, renewed in the background until released. If the process holding it dies, renewals stop
 * and the lease lapses after its ttl; a restarted agent also drops every lease of its predecessor.
 */
export class HeldLease {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly leases: Leases,
    private readonly request: LeaseRequest,
  ) {
    this.timer = setInterval(
      () => leases.renew(request.app, request.holder, Date.now(), TTL_MS),
      RENEW_EVERY_MS,
    );
    this.timer.unref();
  }

  release(): void {
    clearInterval(this.timer);
    this.leases.release(this.request.app, this.request.holder);
  }
}

/** Takes the app's lease; with `wait`, polls until it is free (telling `onWaiting` once), else throws LockedError. */
export async function acquireLease(
  leases: Leases,
  request: LeaseRequest,
  options: { wait: boolean; signal: AbortSignal; onWaiting?: (held: Lease) => void },
): Promise<HeldLease> {
  let told = false;
  for (;;) {
    const result = leases.acquire(request, Date.now(), TTL_MS);
    if (result.ok) return new HeldLease(leases, request);
    if (!options.wait) throw new LockedError(result.held);
    if (!told) options.onWaiting?.(result.held);
    told = true;
    if (options.signal.aborted) throw new OperationError("cancelled while waiting for the running operation");
    await sleep(WAIT_POLL_MS);
  }
}
