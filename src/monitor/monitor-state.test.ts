import { describe, expect, it } from "vitest";
import {
  type CheckOutcome,
  INITIAL_STATE,
  type MonitorState,
  nextState,
  type Thresholds,
} from "./monitor-state.js";

const T: Thresholds = { failureThreshold: 3, successThreshold: 2 };
const PASS: CheckOutcome = { ok: true };
const fail = (error: string): CheckOutcome => ({ ok: false, error });
const at = (second: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, second));
const iso = (second: number) => at(second).toISOString();

/** Runs the outcomes from the initial state, one per second, and lists the events as "type@second". */
function replay(outcomes: CheckOutcome[], thresholds = T): { events: string[]; state: MonitorState } {
  let state = INITIAL_STATE;
  const events: string[] = [];
  outcomes.forEach((outcome, second) => {
    const t = nextState(state, outcome, at(second), thresholds);
    state = t.state;
    if (t.event) events.push(`${t.event.type}@${second}`);
  });
  return { events, state };
}

describe("nextState", () => {
  it.each<[string, CheckOutcome[], string[], Thresholds?]>([
    ["passes only", [PASS, PASS, PASS], []],
    ["two failures stay under the threshold", [fail("a"), fail("b"), PASS, fail("c"), fail("d")], []],
    ["three failures open", [fail("a"), fail("b"), fail("c")], ["opened@2"]],
    [
      "repeated failures of an open incident do not re-open",
      [fail("a"), fail("a"), fail("a"), fail("a"), fail("a")],
      ["opened@2"],
    ],
    ["one pass does not resolve", [fail("a"), fail("a"), fail("a"), PASS, fail("a"), PASS], ["opened@2"]],
    ["two passes resolve", [fail("a"), fail("a"), fail("a"), PASS, PASS, PASS], ["opened@2", "resolved@4"]],
    [
      "a second outage opens a second incident",
      [fail("a"), fail("a"), fail("a"), PASS, PASS, fail("b"), fail("b"), fail("b")],
      ["opened@2", "resolved@4", "opened@7"],
    ],
    [
      "threshold 1 opens and resolves at once",
      [fail("a"), PASS],
      ["opened@0", "resolved@1"],
      { failureThreshold: 1, successThreshold: 1 },
    ],
  ])("%s", (_name, outcomes, events, thresholds) => {
    expect(replay(outcomes, thresholds).events).toEqual(events);
  });

  it("dates the incident from the first failure and keeps the latest error as its cause", () => {
    let state = INITIAL_STATE;
    state = nextState(state, fail("connect ECONNREFUSED"), at(10), T).state;
    state = nextState(state, fail("connect ECONNREFUSED"), at(20), T).state;
    const opened = nextState(state, fail("status 502 (expected 200)"), at(30), T);
    expect(opened.event).toEqual({
      type: "opened",
      incident: { startedAt: iso(10), openedAt: iso(30), cause: "status 502 (expected 200)" },
    });
    const still = nextState(opened.state, fail("timed out after 5s"), at(40), T);
    expect(still.event).toBeUndefined();
    expect(still.state.incident?.cause).toBe("timed out after 5s");
    const pass1 = nextState(still.state, PASS, at(50), T);
    const resolved = nextState(pass1.state, PASS, at(60), T);
    expect(resolved.event).toEqual({
      type: "resolved",
      incident: { startedAt: iso(10), openedAt: iso(30), cause: "timed out after 5s" },
      resolvedAt: iso(60),
    });
    expect(resolved.state).toMatchObject({ incident: null, failingSince: null, consecutiveFailures: 0 });
  });

  it("returns the same state object when a steady monitor's check changes nothing", () => {
    const steady = replay([PASS, PASS]).state;
    expect(nextState(steady, PASS, at(5), T).state).toBe(steady);
    const failing = replay([fail("x"), fail("x"), fail("x")]).state;
    expect(nextState(failing, fail("x"), at(5), T).state).toBe(failing);
    expect(nextState(failing, fail("y"), at(5), T).state).not.toBe(failing);
    expect(nextState(replay([fail("x")]).state, PASS, at(5), T).state.consecutiveFailures).toBe(0);
  });

  it("caps the counters at their thresholds", () => {
    expect(replay(Array(10).fill(fail("x"))).state.consecutiveFailures).toBe(3);
    expect(replay(Array(10).fill(PASS)).state.consecutivePasses).toBe(2);
  });

  it("an incident opened under a higher threshold still resolves after a lowered one", () => {
    const open = replay([fail("x"), fail("x"), fail("x")]).state;
    const t = nextState(open, PASS, at(9), { failureThreshold: 3, successThreshold: 1 });
    expect(t.event?.type).toBe("resolved");
  });
});
