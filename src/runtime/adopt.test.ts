import { describe, expect, it } from "vitest";
import type { InstanceRecord } from "../store/instances.js";
import { planAdoption } from "./adopt.js";

const record = (id: string, artifact: string, idx: number): InstanceRecord => ({
  id,
  app: "shop",
  artifact,
  idx,
  pid: 1000 + idx,
  port: 4000 + idx,
  state: "running",
  startedAt: 1,
});

const alive = (...ids: string[]) => new Map(ids.map((id, i) => [`SKIFF_INSTANCE=${id}`, 500 + i]));
const liveR2 = (_app: string, artifact: string) => artifact === "r2";

describe("planAdoption", () => {
  it.each([
    {
      name: "a live release whose instances all run is adopted whole, in instance order",
      records: [record("b", "r2", 1), record("a", "r2", 0)],
      alive: alive("a", "b"),
      adopt: { "shop/r2": ["a", "b"] },
      stop: [],
      gone: [],
    },
    {
      name: "one instance gone: the rest stop (started afresh), the gone one's row goes",
      records: [record("a", "r2", 0), record("b", "r2", 1)],
      alive: alive("b"),
      adopt: {},
      stop: ["b"],
      gone: ["a"],
    },
    {
      name: "a release not kept (no longer live) stops",
      records: [record("c", "r1", 0)],
      alive: alive("c"),
      adopt: {},
      stop: ["c"],
      gone: [],
    },
    {
      name: "two processes claim the same instance: nothing adopted",
      records: [record("a", "r2", 0), record("d", "r2", 0)],
      alive: alive("a", "d"),
      adopt: {},
      stop: ["a", "d"],
      gone: [],
    },
  ])("$name", (c) => {
    const plan = planAdoption(c.records, c.alive, liveR2);
    expect(Object.fromEntries([...plan.adopt].map(([k, v]) => [k, v.map((p) => p.id)]))).toEqual(c.adopt);
    expect(plan.stop.map((s) => s.record.id)).toEqual(c.stop);
    expect(plan.gone.map((r) => r.id)).toEqual(c.gone);
  });

  it("adopts with the process group found in /proc and the port and start time of the ledger", () => {
    const plan = planAdoption([record("a", "r2", 0)], alive("a"), liveR2);
    expect(plan.adopt.get("shop/r2")).toEqual([{ id: "a", pid: 500, port: 4000, startedAt: 1 }]);
  });
});
