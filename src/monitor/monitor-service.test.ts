import { afterEach, describe, expect, it, vi } from "vitest";
import type { MonitorSpec } from "./config.js";
import { type IncidentEventRecord, MonitorService, type MonitorServiceOptions } from "./monitor-service.js";
import { MemoryMonitorStateStore } from "./state-store.js";
import { startHttp, type TestServer } from "./test-support/servers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(port = 0): Promise<TestServer> {
  const s = await startHttp((_req, res) => res.end("ok"), port);
  cleanups.push(() => s.close());
  return s;
}

function spec(name: string, url: string, overrides: Partial<MonitorSpec> = {}): MonitorSpec {
  return {
    name,
    target: { kind: "http", url, expect: { status: 200, bodyContains: undefined, maxLatencyMs: undefined } },
    intervalMs: 60,
    // Far above the interval: on a loaded test machine a slow answer must not count as a failure.
    timeoutMs: 2000,
    failureThreshold: 2,
    successThreshold: 2,
    ...overrides,
  };
}

function service(options: Partial<MonitorServiceOptions> & { store: MemoryMonitorStateStore }) {
  const events: IncidentEventRecord[] = [];
  const s = new MonitorService({ onEvent: (e) => void events.push(e), ...options });
  cleanups.push(() => s.stop());
  return { s, events };
}

const summary = (events: IncidentEventRecord[]) => events.map((e) => `${e.monitorId} ${e.event.type}`);

describe("MonitorService", () => {
  it("opens one incident when a server goes down and resolves it when it comes back", async () => {
    const target = await server();
    const store = new MemoryMonitorStateStore();
    let checks = 0;
    const { s, events } = service({ store, onCheck: () => void checks++ });
    s.setAppMonitors("hello", [spec("home", `${target.url}/`)]);
    await s.start();
    await vi.waitFor(() => expect(s.list()[0]?.up).toBe(true), { timeout: 2000 });

    await target.close();
    await vi.waitFor(() => expect(summary(events)).toEqual(["hello/home opened"]), { timeout: 2000 });
    const opened = events[0]!;
    expect(opened).toMatchObject({
      app: "hello",
      monitor: "home",
      target: `${target.url}/`,
      monitorRemoved: false,
    });
    if (opened.event.type !== "opened") throw new Error("expected an opened event");
    expect(opened.event.incident.cause).toContain("ECONNREFUSED");
    expect(Date.parse(opened.event.incident.startedAt)).toBeLessThan(
      Date.parse(opened.event.incident.openedAt),
    );

    // Still down for several more checks (counted, not timed): no second alert.
    const openedAfter = checks;
    await vi.waitFor(() => expect(checks).toBeGreaterThanOrEqual(openedAfter + 3), { timeout: 2000 });
    expect(summary(events)).toEqual(["hello/home opened"]);
    expect(store.states.get("hello/home")?.incident).not.toBeNull();

    await server(target.port);
    await vi.waitFor(() => expect(summary(events)).toEqual(["hello/home opened", "hello/home resolved"]), {
      timeout: 2000,
    });
    expect(store.states.get("hello/home")?.incident).toBeNull();
  });

  it("remembers an open incident across a restart and does not alert it again", async () => {
    const down = await server();
    await down.close();
    const store = new MemoryMonitorStateStore();
    const first = service({ store });
    first.s.setAppMonitors("hello", [spec("home", `${down.url}/`)]);
    await first.s.start();
    await vi.waitFor(() => expect(summary(first.events)).toEqual(["hello/home opened"]), { timeout: 2000 });
    await first.s.stop();

    let checks = 0;
    const second = service({ store, onCheck: () => void checks++ });
    second.s.setAppMonitors("hello", [spec("home", `${down.url}/`)]);
    await second.s.start();
    // Past the failure threshold (2) several times over, counted in checks, not in milliseconds.
    await vi.waitFor(() => expect(checks).toBeGreaterThanOrEqual(4), { timeout: 2000 });
    expect(second.s.list()[0]?.up).toBe(false);
    expect(second.events).toEqual([]);

    await server(down.port);
    await vi.waitFor(() => expect(summary(second.events)).toEqual(["hello/home resolved"]), {
      timeout: 2000,
    });
  });

  it("writes to the store only when a state changes", async () => {
    const up = await server();
    const store = new MemoryMonitorStateStore();
    let checks = 0;
    const { s } = service({ store, onCheck: () => void checks++ });
    s.setAppMonitors("hello", [spec("home", `${up.url}/`)]);
    await s.start();
    await vi.waitFor(() => expect(checks).toBeGreaterThanOrEqual(6), { timeout: 3000 });
    // Two passes reach the success threshold; after that, nothing changes.
    expect(store.saves).toBe(2);
  });

  it("keeps checking other monitors while an event handler hangs and the store fails", async () => {
    const up = await server();
    const down = await server();
    await down.close();
    const errors: string[] = [];
    const store = new MemoryMonitorStateStore();
    store.save = () => {
      throw new Error("disk full");
    };
    const checked: string[] = [];
    const { s } = service({
      store,
      onEvent: () => new Promise(() => {}), // an alert path that never returns
      onCheck: (c) => void checked.push(c.monitorId),
      onError: (error, id) => errors.push(`${id}: ${(error as Error).message}`),
    });
    s.setAppMonitors("a", [spec("down", `${down.url}/`, { failureThreshold: 1 }), spec("up", `${up.url}/`)]);
    await s.start();
    await vi.waitFor(() => expect(checked.filter((id) => id === "a/up").length).toBeGreaterThanOrEqual(5), {
      timeout: 3000,
    });
    expect(checked.filter((id) => id === "a/down").length).toBeGreaterThanOrEqual(3);
    expect(errors).toContain("a/down: disk full");
  });

  it("applies a changed monitor set: removed monitors close their incident, kept ones keep their state", async () => {
    const down = await server();
    await down.close();
    const store = new MemoryMonitorStateStore();
    const removed: string[] = [];
    const { s, events } = service({ store, onRemoved: (m) => void removed.push(`${m.app}/${m.monitor}`) });
    const home = spec("home", `${down.url}/`);
    s.setAppMonitors("hello", [home, spec("api", `${down.url}/api`)]);
    s.setAppMonitors("other", [spec("home", `${down.url}/`)]);
    await s.start();
    await vi.waitFor(() => expect(events.length).toBe(3), { timeout: 2000 });

    s.setAppMonitors("hello", [home]);
    expect(summary(events.slice(3))).toEqual(["hello/api resolved"]);
    expect(events[3]?.monitorRemoved).toBe(true);
    expect(
      s
        .list()
        .map((m) => m.monitorId)
        .sort(),
    ).toEqual(["hello/home", "other/home"]);
    expect(store.states.has("hello/api")).toBe(false);
    expect(store.states.get("hello/home")?.incident).not.toBeNull();

    s.removeApp("other");
    expect(s.list().map((m) => m.monitorId)).toEqual(["hello/home"]);
    expect(summary(events.slice(4))).toEqual(["other/home resolved"]);
    await vi.waitFor(() => expect(removed).toEqual(["hello/api", "other/home"]));
  });
});
