import type { Metric, Registry } from "prom-client";

/**
 * `skiff_http_requests_total{app,env,release,code}` and `skiff_http_request_duration_seconds{app,env,release}`,
 * kept off prom-client's per-call path. Measured (npm run bench:metrics): a prom-client child bound
 * with labels() still validates and hashes its labels on every inc()/observe(), about 0.7 µs per
 * request for the pair; counting into typed arrays and handing prom-client the totals when it is
 * scraped costs a few ns. prom-client still owns the registry and the exposition format.
 *
 * The `skiff_` prefix keeps them apart from the `http_requests_total` an app exports itself when one
 * Prometheus scrapes both. The unprefixed names of earlier versions are still served, without `env`,
 * for one release (docs/metrics.md).
 */

/** Seconds; tuned for web requests behind a local proxy. */
export const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * Status codes whose counter series exist at 0 from the moment a release is switched in. Prometheus
 * cannot see the first increase of a series it has never scraped: `increase()` over a window that
 * starts at a deploy would miss the new release's first requests (its first errors most of all).
 * The proxy's own answers (502, 503, 504) are among them.
 */
export const USUAL_STATUS_CODES = [
  200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 429, 500, 502, 503, 504,
] as const;

const ALWAYS_SHOWN = new Uint8Array(600);
for (const code of USUAL_STATUS_CODES) ALWAYS_SHOWN[code] = 1;

export const REQUESTS = "skiff_http_requests_total";
export const DURATION = "skiff_http_request_duration_seconds";
const DEPRECATED_REQUESTS = "http_requests_total";
const DEPRECATED_DURATION = "http_request_duration_seconds";

/** Counts one release's proxied requests. Get it once per release and keep it on the route. */
export class RequestRecorder {
  /** Requests by status code (100–599); slot 0 holds anything outside that range. */
  readonly byStatus = new Float64Array(600);
  /** Observations by bucket; the last slot is above every bound. Not cumulative. */
  readonly byBucket = new Float64Array(REQUEST_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  constructor(
    readonly app: string,
    readonly env: string,
    readonly release: string,
  ) {}

  record(statusCode: number, durationSeconds: number): void {
    this.byStatus[statusCode >= 100 && statusCode < 600 ? statusCode : 0]!++;
    let i = 0;
    while (i < REQUEST_BUCKETS.length && durationSeconds > REQUEST_BUCKETS[i]!) i++;
    this.byBucket[i]!++;
    this.sum += durationSeconds;
    this.count++;
  }
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The labels of a release's series; the deprecated names never had `env`. */
type Labels = (r: RequestRecorder) => Record<string, string>;
const withEnv: Labels = (r) => ({ app: r.app, env: r.env, release: r.release });
const withoutEnv: Labels = (r) => ({ app: r.app, release: r.release });

export class RequestMetrics {
  private readonly recorders = new Map<string, RequestRecorder>();

  constructor(registry: Registry) {
    // registerMetric takes any object with prom-client's get() contract; its types list only its own classes.
    const deprecated = (name: string) => `Deprecated, removed in the next release: use ${name}.`;
    const metrics = [
      collector(
        REQUESTS,
        "counter",
        "Requests proxied to an app, by environment, release and status code.",
        () => this.requestSamples(withEnv),
      ),
      collector(
        DURATION,
        "histogram",
        "Time from receiving a request to the end of its response, by app, environment and release.",
        () => this.durationSamples(DURATION, withEnv),
      ),
      collector(DEPRECATED_REQUESTS, "counter", deprecated(REQUESTS), () => this.requestSamples(withoutEnv)),
      collector(DEPRECATED_DURATION, "histogram", deprecated(DURATION), () =>
        this.durationSamples(DEPRECATED_DURATION, withoutEnv),
      ),
    ];
    for (const metric of metrics) registry.registerMetric(metric);
  }

  /** Made when a release is switched in, which puts its usual codes' series at 0 from then on. */
  recorder(app: string, env: string, release: string): RequestRecorder {
    const key = `${app}\u0000${env}\u0000${release}`;
    let recorder = this.recorders.get(key);
    if (!recorder) {
      recorder = new RequestRecorder(app, env, release);
      this.recorders.set(key, recorder);
    }
    return recorder;
  }

  forget(app: string, env: string, release: string): void {
    this.recorders.delete(`${app}\u0000${env}\u0000${release}`);
  }

  private requestSamples(labels: Labels): Sample[] {
    const samples: Sample[] = [];
    for (const r of this.recorders.values()) {
      const base = labels(r);
      r.byStatus.forEach((value, code) => {
        if (value > 0 || ALWAYS_SHOWN[code]) samples.push({ labels: { ...base, code }, value });
      });
    }
    return samples;
  }

  private durationSamples(name: string, labels: Labels): Sample[] {
    const samples: Sample[] = [];
    const bucket = `${name}_bucket`;
    for (const r of this.recorders.values()) {
      const base = labels(r);
      let cumulative = 0;
      REQUEST_BUCKETS.forEach((le, i) => {
        cumulative += r.byBucket[i]!;
        samples.push({ labels: { le, ...base }, value: cumulative, metricName: bucket });
      });
      samples.push({ labels: { le: "+Inf", ...base }, value: r.count, metricName: bucket });
      samples.push({ labels: base, value: r.sum, metricName: `${name}_sum` });
      samples.push({ labels: base, value: r.count, metricName: `${name}_count` });
    }
    return samples;
  }
}

function collector(
  name: string,
  type: "counter" | "histogram",
  help: string,
  values: () => Sample[],
): Metric {
  const metric = {
    name,
    help,
    type,
    aggregator: "sum",
    get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
  };
  return metric as unknown as Metric;
}
