import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ContentScanner, type ScanSettings } from "./content-scanner.js";
import { addTotals, emptyTotals, type ScanTotals, scanFilesFromDisk } from "./file-reader.js";

/** Below this many files a thread pool costs more (startup, compiling rules twice) than it saves. */
const POOL_THRESHOLD = 2000;
const BATCH = 256;

const WORKER_SCRIPT = new URL("./scan-worker.js", import.meta.url);

export interface PoolOptions {
  /** Threads to scan on, this one included; default: one per core. 1 scans on this thread only. */
  threads?: number;
}

/**
 * Scans files on disk. With many files, this thread and `threads - 1` worker threads take batches
 * as they finish (so one huge directory does not hold up the rest); each worker keeps a second
 * batch queued so it never waits for this thread. From TypeScript sources (tests) there is no
 * compiled worker script, and the scan stays on this thread.
 */
export async function scanFiles(
  root: string,
  paths: readonly string[],
  settings: ScanSettings,
  options: PoolOptions = {},
): Promise<ScanTotals> {
  const threads = Math.min(options.threads ?? availableParallelism(), Math.ceil(paths.length / BATCH));
  const scanner = new ContentScanner(settings);
  const canPool = threads > 1 && paths.length >= POOL_THRESHOLD && existsSync(fileURLToPath(WORKER_SCRIPT));
  if (!canPool) return scanFilesFromDisk(root, paths, scanner);
  const totals = emptyTotals();
  let next = 0;
  const takeBatch = () => {
    const batch = paths.slice(next, next + BATCH);
    next += batch.length;
    return batch;
  };
  const workers = Array.from({ length: threads - 1 }, () => runWorker(root, settings, takeBatch, totals));
  for (let batch = takeBatch(); batch.length > 0; batch = takeBatch()) {
    addTotals(totals, scanFilesFromDisk(root, batch, scanner));
    // Let the workers' results in, and hand them their next batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(workers);
  return totals;
}

function runWorker(
  root: string,
  settings: ScanSettings,
  takeBatch: () => string[],
  totals: ScanTotals,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: { settings, root } });
    let pending = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    const send = () => {
      const batch = takeBatch();
      if (batch.length === 0) return;
      pending++;
      worker.postMessage(batch);
    };
    worker.on("message", (result: ScanTotals) => {
      pending--;
      addTotals(totals, result);
      send();
      if (pending === 0) finish();
    });
    worker.on("error", finish);
    worker.on("exit", (code) => finish(new Error(`a scan worker stopped early (exit code ${code})`)));
    send();
    send();
    if (pending === 0) finish();
  });
}
