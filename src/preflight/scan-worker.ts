import { parentPort, workerData } from "node:worker_threads";
import { ContentScanner, type ScanSettings } from "./content-scanner.js";
import { scanFilesFromDisk } from "./file-reader.js";

/** A worker thread of the scan pool: builds its own scanner, then scans each batch of paths it is sent. */
const { settings, root } = workerData as { settings: ScanSettings; root: string };
const scanner = new ContentScanner(settings);

parentPort!.on("message", (paths: string[]) => {
  parentPort!.postMessage(scanFilesFromDisk(root, paths, scanner));
});
