import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Load } from "../../src/demo/load.js";
import { finished, type Processes } from "./processes.js";

export interface LoadResult {
  requests: number;
  failed: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** How the failures split up (status codes, socket errors), for the report. */
  failures: string;
}

export interface LoadSpec {
  url: string;
  connections: number;
  /** The run ends by itself after this long, unless stopped earlier. */
  seconds: number;
  /** Each connection waits this long between requests: a moderate, steady rate instead of saturation. */
  pauseMs?: number;
}

export interface RunningLoad {
  stop(): Promise<LoadResult>;
  done: Promise<LoadResult>;
}

const WRK_PATHS = ["/usr/bin/wrk", "/usr/local/bin/wrk"];

/**
 * Load against a local URL: wrk when it is installed (it is cheaper than the load it measures), else the
 * project's own Load class in this process. Bounded by `seconds`; only 127.0.0.1.
 */
export class LoadRunner {
  readonly wrk: string | undefined = WRK_PATHS.find((path) => existsSync(path));

  constructor(
    private readonly processes: Processes,
    private readonly tempDir: string,
  ) {}

  get tool(): string {
    return this.wrk ? `wrk (${this.wrk})` : "the Load class (wrk not installed)";
  }

  start(spec: LoadSpec): RunningLoad {
    if (!new URL(spec.url).hostname.startsWith("127.")) throw new Error(`load only targets 127.0.0.1`);
    return this.wrk ? this.startWrk(this.wrk, spec) : startLoadClass(spec);
  }

  run(spec: LoadSpec): Promise<LoadResult> {
    return this.start(spec).done;
  }

  private startWrk(wrk: string, spec: LoadSpec): RunningLoad {
    const args = [
      `-t${Math.min(2, spec.connections)}`,
      `-c${spec.connections}`,
      `-d${spec.seconds}s`,
      "--latency",
      "--timeout",
      "5s",
    ];
    if (spec.pauseMs) {
      const script = join(this.tempDir, `pause-${spec.pauseMs}.lua`);
      writeFileSync(script, `function delay()\n  return ${spec.pauseMs}\nend\n`);
      args.push("-s", script);
    }
    const child = this.processes.spawn(wrk, [...args, spec.url]);
    const done = finished(child).then(({ stdout, stderr }) => parseWrk(stdout, stderr));
    return {
      done,
      stop: () => {
        // wrk prints its summary on SIGINT, as after Ctrl-C.
        if (child.exitCode === null) child.kill("SIGINT");
        return done;
      },
    };
  }
}

function startLoadClass(spec: LoadSpec): RunningLoad {
  const load = new Load({
    url: spec.url,
    concurrency: spec.pauseMs ? 2 : spec.connections,
    maxRequests: 10_000_000,
    maxDurationMs: spec.seconds * 1000,
  });
  const toResult = async (): Promise<LoadResult> => {
    const report = await load.stop();
    return {
      requests: report.sent,
      failed: report.failed,
      rps: Math.round((report.ok * 1000) / Math.max(1, report.durationMs)),
      p50Ms: report.latencyMs.p50,
      // The Load class keeps p50 and p99 only.
      p90Ms: Number.NaN,
      p99Ms: report.latencyMs.p99,
      failures: JSON.stringify({ ...report.byStatus, ...report.errors }),
    };
  };
  const done = new Promise<void>((resolve) => setTimeout(resolve, spec.seconds * 1000)).then(toResult);
  let stopped: Promise<LoadResult> | undefined;
  return { done, stop: () => (stopped ??= toResult()) };
}

/** wrk's summary: totals, the latency distribution, non-2xx answers and socket errors. */
export function parseWrk(stdout: string, stderr: string): LoadResult {
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? Number.NaN);
  if (Number.isNaN(requests)) throw new Error(`wrk printed no summary:\n${stdout}\n${stderr}`);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const [connect, read, write, timeout] = (socket?.slice(1) ?? ["0", "0", "0", "0"]).map(Number) as number[];
  return {
    requests,
    failed: non2xx + connect! + read! + write! + timeout!,
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0)),
    p50Ms: latency(stdout, "50%"),
    p90Ms: latency(stdout, "90%"),
    p99Ms: latency(stdout, "99%"),
    failures: `non-2xx ${non2xx}, connect ${connect}, read ${read}, write ${write}, timeout ${timeout}`,
  };
}

function latency(stdout: string, quantile: string): number {
  const match = new RegExp(`^\\s+${quantile}\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(stdout);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}
