/**
 * The measured side of bench/monitor.ts: the monitoring part of an agent (scheduler, probes,
 * incident state, alert dispatcher) and nothing else, so the parent can read its CPU and memory.
 */

import { monitorEventLoopDelay } from "node:perf_hooks";
import { AlertDispatcher } from "../src/alerts/dispatcher.js";
import { incidentMessage } from "../src/alerts/message.js";
import { webhookChannel } from "../src/alerts/webhook.js";
import type { MonitorSpec } from "../src/monitor/config.js";
import { MonitorService } from "../src/monitor/monitor-service.js";
import { MemoryMonitorStateStore } from "../src/monitor/state-store.js";
import { type AgentConfig, type ChildMessage, type ParentMessage, wallClockMs } from "./monitor-protocol.js";

const config = JSON.parse(process.env.SKIFF_BENCH_CONFIG ?? "{}") as AgentConfig;
const send = (message: ChildMessage) => process.send?.(message);

const lateMs: number[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let checks = 0;
let alertsSent = 0;
let alertsFailed = 0;

const dispatcher = new AlertDispatcher([webhookChannel("webhook", config.alertUrl, undefined)], {
  onResult: (r) => (r.ok ? alertsSent++ : alertsFailed++),
});

const service = new MonitorService({
  store: new MemoryMonitorStateStore(),
  concurrency: config.concurrency,
  onLate: (ms) => lateMs.push(ms),
  onCheck: () => void checks++,
  onEvent: (record) => {
    send({ type: "event", monitor: record.monitor, event: record.event.type, at: wallClockMs() });
    void dispatcher.dispatch(incidentMessage(record, { id: "r1" }));
  },
});

const monitors: MonitorSpec[] = config.urls.map((url, i) => ({
  name: `m${i}`,
  target: { kind: "http", url, expect: { status: 200, bodyContains: undefined, maxLatencyMs: undefined } },
  intervalMs: config.intervalMs,
  timeoutMs: config.timeoutMs,
  failureThreshold: config.failureThreshold,
  successThreshold: config.successThreshold,
}));
service.setAppMonitors("bench", monitors);
await service.start();
send({ type: "ready" });

process.on("message", async (message: ParentMessage) => {
  if (message.type !== "finish") return;
  await service.stop();
  await dispatcher.close(1000);
  const loopDelayP99Ms = loopDelay.percentile(99) / 1e6;
  send({
    type: "stats",
    lateMs,
    loopDelayP99Ms,
    checks,
    skipped: service.skippedChecks,
    alertsSent,
    alertsFailed,
  });
  process.disconnect();
});
