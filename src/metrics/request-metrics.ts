import type { Metric, Registry } from "prom-client";

/**
 * `http_requests_total{app,release,code}` and `http_request_duration_seconds{app,release}`, kept
 * off prom-client's per-call path. Measured (npm run bench:metrics): a prom-client child bound
 * with labels() still validates and hashes its labels on every inc()/observe(), about 0.7 µs per
 * request for the pair; counting into typed arrays and handing prom-client the totals when it is
 * scraped costs a few ns. prom-client still owns the registry and the exposition format.
 */

/** Seconds; tuned for web requests behind a local proxy. */
export const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

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

export class RequestMetrics {
  private readonly recorders = new Map<string, RequestRecorder>();

  constructor(registry: Registry) {
    // registerMetric takes any object with prom-client's get() contract; its types list only its own classes.
    registry.registerMetric(
      this.collector(
        "http_requests_total",
        "counter",
        "Requests proxied to an app, by release and status code.",
        () => this.requestSamples(),
      ),
    );
    registry.registerMetric(
      this.collector(
        "http_request_duration_seconds",
        "histogram",
        "Time from receiving a request to the end of its response, by app and release.",
        () => this.durationSamples(),
      ),
    );
  }

  recorder(app: string, release: string): RequestRecorder {
    const key = `${app}\u0000${release}`;
    let recorder = this.recorders.get(key);
    if (!recorder) {
      recorder = new RequestRecorder(app, release);
      this.recorders.set(key, recorder);
    }
    return recorder;
  }

  forget(app: string, release: string): void {
    this.recorders.delete(`${app}\u0000${release}`);
  }

  private collector(
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

  private requestSamples(): Sample[] {
    const samples: Sample[] = [];
    for (const r of this.recorders.values()) {
      r.byStatus.forEach((value, code) => {
        if (value > 0) samples.push({ labels: { app: r.app, release: r.release, code }, value });
      });
    }
    return samples;
  }

  private durationSamples(): Sample[] {
    const samples: Sample[] = [];
    const bucket = "http_request_duration_seconds_bucket";
    for (const r of this.recorders.values()) {
      const labels = { app: r.app, release: r.release };
      let cumulative = 0;
      REQUEST_BUCKETS.forEach((le, i) => {
        cumulative += r.byBucket[i]!;
        samples.push({ labels: { le, ...labels }, value: cumulative, metricName: bucket });
      });
      samples.push({ labels: { le: "+Inf", ...labels }, value: r.count, metricName: bucket });
      samples.push({ labels, value: r.sum, metricName: "http_request_duration_seconds_sum" });
      samples.push({ labels, value: r.count, metricName: "http_request_duration_seconds_count" });
    }
    return samples;
  }
}
