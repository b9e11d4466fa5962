/**
 * Cost per call of counting one proxied request, the only metrics work on the proxy's hot path:
 * the pre-bound RequestRecorder against prom-client's label-object calls it replaces.
 * Run: npm run bench:metrics
 */
import { Counter, Histogram, Registry } from "prom-client";
import { SkiffMetrics } from "../src/metrics/prometheus.js";
import { WatchCounter } from "../src/metrics/watch-counter.js";

const CALLS = 2_000_000;
const STATUSES = [200, 200, 200, 200, 304, 404, 200, 500];

function measure(name: string, fn: (i: number) => void): void {
  for (let i = 0; i < 100_000; i++) fn(i); // warm up the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) fn(i);
  const ns = Number(process.hrtime.bigint() - start) / CALLS;
  process.stdout.write(`${name.padEnd(48)} ${ns.toFixed(1).padStart(7)} ns/call\n`);
}

const metrics = new SkiffMetrics();
const recorder = metrics.requestRecorder("hello", "production", "r42");
measure("RequestRecorder.record (what the proxy calls)", (i) =>
  recorder.record(STATUSES[i & 7]!, 0.001 * (i & 63)),
);

const registry = new Registry();
const counter = new Counter({
  name: "c",
  help: "c",
  labelNames: ["app", "release", "code"],
  registers: [registry],
});
const histogram = new Histogram({
  name: "h",
  help: "h",
  labelNames: ["app", "release"],
  registers: [registry],
});
measure("prom-client inc/observe with label objects", (i) => {
  counter.inc({ app: "hello", release: "r42", code: String(STATUSES[i & 7]) });
  histogram.observe({ app: "hello", release: "r42" }, 0.001 * (i & 63));
});

const histogramChild = histogram.labels("hello", "r42");
const counterChildren = new Map(STATUSES.map((code) => [code, counter.labels("hello", "r42", String(code))]));
measure("prom-client children bound once with labels()", (i) => {
  counterChildren.get(STATUSES[i & 7]!)!.inc();
  histogramChild.observe(0.001 * (i & 63));
});

const watch = new WatchCounter();
measure("WatchCounter.record (auto-rollback counts)", (i) => watch.record(STATUSES[i & 7]!, i & 4095));
