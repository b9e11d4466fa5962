/**
 * What a monitor remembers between checks, and the pure rule that moves it along: consecutive
 * failures open an incident, consecutive passes resolve it. Failures while an incident is open
 * only update its cause; they never open it again, so they never alert again.
 */

export interface OpenIncident {
  /** The first failed check of the streak that opened it (ISO 8601). */
  startedAt: string;
  /** When the failure threshold was crossed and the incident opened. */
  openedAt: string;
  /** The latest error seen while it is open. */
  cause: string;
}

export interface MonitorState {
  /** Counters stop at their threshold, so a steady monitor's state stops changing (and saving). */
  consecutiveFailures: number;
  consecutivePasses: number;
  /** First failed check of the current streak, ISO 8601; null while passing. */
  failingSince: string | null;
  lastError: string | null;
  incident: OpenIncident | null;
}

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

export interface CheckOutcome {
  ok: boolean;
  error?: string;
}

export type MonitorEvent =
  | { type: "opened"; incident: OpenIncident }
  | { type: "resolved"; incident: OpenIncident; resolvedAt: string };

export interface Transition {
  /** The same object as the input when nothing changed, so callers can skip saving. */
  state: MonitorState;
  event: MonitorEvent | undefined;
}

export const INITIAL_STATE: MonitorState = Object.freeze({
  consecutiveFailures: 0,
  consecutivePasses: 0,
  failingSince: null,
  lastError: null,
  incident: null,
});

export function nextState(state: MonitorState, outcome: CheckOutcome, at: Date, t: Thresholds): Transition {
  return outcome.ok ? afterPass(state, at, t) : afterFailure(state, outcome.error ?? "check failed", at, t);
}

function afterPass(state: MonitorState, at: Date, t: Thresholds): Transition {
  const passes = Math.min(state.consecutivePasses + 1, t.successThreshold);
  if (state.incident && passes >= t.successThreshold) {
    const next = {
      ...state,
      consecutiveFailures: 0,
      consecutivePasses: passes,
      failingSince: null,
      incident: null,
    };
    return {
      state: next,
      event: { type: "resolved", incident: state.incident, resolvedAt: at.toISOString() },
    };
  }
  if (passes === state.consecutivePasses && state.consecutiveFailures === 0 && state.failingSince === null) {
    return { state, event: undefined };
  }
  return {
    state: { ...state, consecutiveFailures: 0, consecutivePasses: passes, failingSince: null },
    event: undefined,
  };
}

function afterFailure(state: MonitorState, error: string, at: Date, t: Thresholds): Transition {
  const failures = Math.min(state.consecutiveFailures + 1, t.failureThreshold);
  if (
    state.incident?.cause === error &&
    failures === state.consecutiveFailures &&
    state.consecutivePasses === 0
  ) {
    return { state, event: undefined };
  }
  const failingSince = state.failingSince ?? at.toISOString();
  const base = { consecutiveFailures: failures, consecutivePasses: 0, failingSince, lastError: error };
  if (state.incident) {
    return { state: { ...base, incident: { ...state.incident, cause: error } }, event: undefined };
  }
  if (failures >= t.failureThreshold) {
    const incident: OpenIncident = { startedAt: failingSince, openedAt: at.toISOString(), cause: error };
    return { state: { ...base, incident }, event: { type: "opened", incident } };
  }
  return { state: { ...base, incident: null }, event: undefined };
}
