import type { MonitorState } from "./monitor-state.js";

/**
 * Where monitor states live between agent restarts, so an incident that was open stays open (and
 * is not alerted again) after a restart. The agent backs this with its SQLite ledger; methods may
 * be synchronous (better-sqlite3) or return promises. Keys are monitor ids, "app/name".
 */
export interface MonitorStateStore {
  /** Every saved state. Called once, when monitoring starts. */
  loadAll(): Map<string, MonitorState> | Promise<Map<string, MonitorState>>;
  /** Called only when a state changed: a steady monitor does not write. */
  save(monitorId: string, state: MonitorState): void | Promise<void>;
  delete(monitorId: string): void | Promise<void>;
}

/** For tests and for running without a ledger. */
export class MemoryMonitorStateStore implements MonitorStateStore {
  readonly states = new Map<string, MonitorState>();
  saves = 0;

  loadAll(): Map<string, MonitorState> {
    return new Map(this.states);
  }

  save(monitorId: string, state: MonitorState): void {
    this.saves++;
    this.states.set(monitorId, structuredClone(state));
  }

  delete(monitorId: string): void {
    this.states.delete(monitorId);
  }
}
