import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const POLL_MS = 200;

/**
 * Calls `write` with whatever is appended to `path` from now on, until `signal` aborts. Survives rotation:
 * when the file shrinks (renamed to .1 and started again) it reads the new file from the start.
 */
export async function followLog(
  path: string,
  write: (chunk: string) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let position = existsSync(path) ? statSync(path).size : 0;
  const buffer = Buffer.alloc(64 * 1024);
  while (!signal.aborted) {
    await sleep(POLL_MS);
    if (!existsSync(path)) continue;
    const size = statSync(path).size;
    if (size < position) position = 0;
    if (size === position) continue;
    const fd = openSync(path, "r");
    try {
      while (position < size && !signal.aborted) {
        const read = readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position);
        if (read === 0) break;
        position += read;
        await write(buffer.subarray(0, read).toString("utf8"));
      }
    } finally {
      closeSync(fd);
    }
  }
}
