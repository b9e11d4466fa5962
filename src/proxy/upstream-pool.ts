import { type PoolSlot, UpstreamConnection, type UpstreamRequest } from "./upstream-connection.js";

/** Connections per app instance; more requests than this at once wait for one to come free. */
const MAX_CONNECTIONS = 128;

/**
 * Keep-alive connections to one app instance: the most recently used idle one first (so the others age
 * out), a new one while under the cap, else the request waits in line.
 */
export class UpstreamPool implements PoolSlot {
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();
  private readonly waiting: UpstreamRequest[] = [];
  private closing = false;
  private onEmpty: (() => void) | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxConnections = MAX_CONNECTIONS,
  ) {}

  /** Open connections (idle and busy). */
  get size(): number {
    return this.all.size;
  }

  dispatch(request: UpstreamRequest): void {
    if (this.closing) {
      // A retired release: the request goes back to be retried on whatever is live now.
      request.failed(new Error("the release was retired"), false);
      return;
    }
    const connection = this.takeIdle() ?? this.open();
    if (connection) connection.send(request);
    else this.waiting.push(request);
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
    if (!this.all.delete(connection)) return;
    const i = this.idle.lastIndexOf(connection);
    if (i !== -1) this.idle.splice(i, 1);
    if (this.all.size === 0) this.onEmpty?.();
    // A request waiting in line gets the freed slot.
    if (!this.closing && this.waiting.length > 0) {
      const next = this.nextWaiting();
      if (next) this.open()!.send(next);
    }
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

  private open(): UpstreamConnection | undefined {
    if (this.closing || this.all.size >= this.maxConnections) return undefined;
    const connection = new UpstreamConnection(this.host, this.port, this);
    this.all.add(connection);
    return connection;
  }

  private nextWaiting(): UpstreamRequest | undefined {
    let next = this.waiting.shift();
    while (next?.cancelled) next = this.waiting.shift();
    return next;
  }
}
