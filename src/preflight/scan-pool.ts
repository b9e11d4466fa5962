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
  /** Worker threads to use; default: one per core. 0 scans in this thread. */
  threads?: number;
}

/**
 * Scans files on disk, on worker threads when there are many (batches handed out as workers
 * finish, so one huge directory does not hold up the rest). When run from TypeScript sources
 * (tests) there is no compiled worker script, and the scan stays on this thread.
 */
export async function scanFiles(
  root: string,
  paths: readonly string[],
  settings: ScanSettings,
  options: PoolOptions = {},
): Promise<ScanTotals> {
  const threads = Math.min(options.threads ?? availableParallelism(), Math.ceil(paths.length / BATCH));
  const canPool = threads > 1 && paths.length >= POOL_THRESHOLD && existsSync(fileURLToPath(WORKER_SCRIPT));
  if (!canPool) return scanFilesFromDisk(root, paths, new ContentScanner(settings));
  return runPool(root, paths, settings, threads);
}

function runPool(root: string, paths: readonly string[], settings: ScanSettings, threads: number) {
  const totals = emptyTotals();
  let next = 0;
  const takeBatch = () => {
    const batch = paths.slice(next, next + BATCH);
    next += batch.length;
    return batch;
  };
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(WORKER_SCRIPT, { workerData: { settings, root } });
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        void worker.terminate();
        if (error) reject(error);
        else resolve();
      };
      worker.on("exit", (code) => finish(new Error(`a scan worker stopped early (exit code ${code})`)));
      worker.on("message", (result: ScanTotals) => {
        addTotals(totals, result);
        const batch = takeBatch();
        if (batch.length > 0) worker.postMessage(batch);
        else finish();
      });
      worker.on("error", finish);
      worker.postMessage(takeBatch());
    });
  return Promise.all(Array.from({ length: threads }, runWorker)).then(() => totals);
}
