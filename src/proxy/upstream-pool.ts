import { type PoolSlot, UpstreamConnection, type UpstreamRequest } from "./upstream-connection.js";

/**
 * Connections that wait on their own clients (see UpstreamConnection.stalled) do not count toward the
 * cap, up to this many times the cap in all: then the one stalled longest is taken back.
 */
export const STALLED_ALLOWANCE = 4;

/** What /metrics shows of a pool: how full it is, and how often it was full. */
export interface PoolStats {
  open: number;
  idle: number;
  /** Busy connections whose request waits on its own client, not on the app. */
  stalled: number;
  waiting: number;
  /** The cap on connections working for the app (busy and not stalled). */
  max: number;
  /** Requests that had to wait for a connection, since the pool was made. */
  waited: number;
  /** Connections taken back from stalled clients, since the pool was made. */
  reclaimed: number;
}

/**
 * Keep-alive connections to one app instance: the most recently used idle one first (so the others age
 * out), a new one while fewer than `maxConnections` work for the app, else the request waits in line.
 * A connection whose request waits on its own client (a client that does not read its answer, or drips
 * its body) does not count: slow clients cannot fill the pool and make everyone else wait. They are
 * bounded too: past STALLED_ALLOWANCE × the cap in all, the connection stalled longest is taken back.
 */
export class UpstreamPool implements PoolSlot {
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();
  private readonly waiting: UpstreamRequest[] = [];
  private stalledCount = 0;
  private closing = false;
  private onEmpty: (() => void) | undefined;
  private waited = 0;
  private reclaimedCount = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private maxConnections = 128,
  ) {}

  /** The proxy's cap, applied when it routes to the pool's release. */
  configure(maxConnections: number): void {
    this.maxConnections = maxConnections;
  }

  /** Open connections (idle and busy). */
  get size(): number {
    return this.all.size;
  }

  stats(): PoolStats {
    return {
      open: this.all.size,
      idle: this.idle.length,
      stalled: this.stalledCount,
      waiting: this.waiting.length,
      max: this.maxConnections,
      waited: this.waited,
      reclaimed: this.reclaimedCount,
    };
  }

  dispatch(request: UpstreamRequest): void {
    if (this.closing) {
      // A retired release: the request goes back to be retried on whatever is live now.
      request.failed(new Error("the release was retired"), false);
      return;
    }
    const connection = this.connection();
    if (connection) {
      connection.send(request);
      return;
    }
    this.waited++;
    this.waiting.push(request);
  }

  released(connection: UpstreamConnection): void {
    if (this.closing) {
      connection.destroy();
      return;
    }
    const next = this.nextWaiting();
    if (next) {
      connection.send(next);
      return;
    }
    connection.idleSince = Date.now();
    this.idle.push(connection);
  }

  removed(connection: UpstreamConnection): void {
    if (!this.forget(connection)) return;
    if (this.all.size === 0) this.onEmpty?.();
    // A request waiting in line gets the freed slot.
    this.serveWaiting();
  }

  /** A connection started (+1) or stopped (-1) waiting on its client: a slot for the app opens or closes. */
  stallChanged(delta: 1 | -1): void {
    this.stalledCount += delta;
    if (delta === 1) this.serveWaiting();
  }

  /** Closes idle connections now and busy ones once their answer is complete. */
  close(): Promise<void> {
    this.closing = true;
    for (const request of this.waiting.splice(0)) request.failed(new Error("the release was retired"), false);
    for (const connection of [...this.all]) connection.close();
    return this.empty();
  }

  destroy(): Promise<void> {
    this.closing = true;
    for (const request of this.waiting.splice(0)) request.failed(new Error("the release was retired"), false);
    for (const connection of [...this.all]) connection.destroy();
    return this.empty();
  }

  /**
   * An idle connection, else a new one while fewer than the cap work for the app (taking back the one
   * stalled longest when stalled ones have used up their allowance), else none: the request waits.
   */
  private connection(): UpstreamConnection | undefined {
    const idle = this.takeIdle();
    if (idle) return idle;
    if (this.closing || this.all.size - this.stalledCount >= this.maxConnections) return undefined;
    if (this.all.size >= this.maxConnections * STALLED_ALLOWANCE) this.reclaimOldestStall();
    const connection = new UpstreamConnection(this.host, this.port, this);
    this.all.add(connection);
    return connection;
  }

  private serveWaiting(): void {
    while (!this.closing && this.waiting.length > 0) {
      const next = this.nextWaiting();
      if (!next) return;
      const connection = this.connection();
      if (!connection) {
        this.waiting.unshift(next);
        return;
      }
      connection.send(next);
    }
  }

  private reclaimOldestStall(): void {
    let oldest: UpstreamConnection | undefined;
    for (const connection of this.all) {
      const since = connection.stalledSince;
      if (since !== 0 && (oldest === undefined || since < oldest.stalledSince)) oldest = connection;
    }
    if (!oldest) return;
    this.reclaimedCount++;
    this.forget(oldest);
    oldest.reclaim();
  }

  /** Drops `connection` from the books; false when it was not there (already forgotten). */
  private forget(connection: UpstreamConnection): boolean {
    if (!this.all.delete(connection)) return false;
    if (connection.stalledSince !== 0) {
      this.stalledCount--;
      connection.stalledSince = 0;
    }
    const i = this.idle.lastIndexOf(connection);
    if (i !== -1) this.idle.splice(i, 1);
    return true;
  }

  private empty(): Promise<void> {
    if (this.all.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onEmpty = resolve;
    });
  }

  private takeIdle(): UpstreamConnection | undefined {
    const now = Date.now();
    let connection = this.idle.pop();
    while (connection && !connection.fresh(now)) {
      connection.destroy();
      connection = this.idle.pop();
    }
    return connection;
  }

  private nextWaiting(): UpstreamRequest | undefined {
    let next = this.waiting.shift();
    while (next?.cancelled) next = this.waiting.shift();
    return next;
  }
}
