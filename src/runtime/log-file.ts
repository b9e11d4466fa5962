import { closeSync, existsSync, openSync, readSync, renameSync, statSync, writeSync } from "node:fs";

export const DEFAULT_LOG_CAP = 10 * 1024 * 1024;

/**
 * An append-only log with a size cap: past the cap the file moves to `<file>.1` (replacing the older one)
 * and a fresh file starts, so a chatty app never fills the disk. Writes are synchronous appends of whole
 * chunks, which keeps lines from different instances from interleaving mid-chunk.
 */
export class LogFile {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    private readonly cap = DEFAULT_LOG_CAP,
  ) {
    this.fd = openSync(path, "a");
    this.size = statSync(path).size;
  }

  write(chunk: string | Buffer): void {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (this.size + data.length > this.cap && this.size > 0) this.rotate();
    writeSync(this.fd, data);
    this.size += data.length;
  }

  /** A line from skiff itself, marked so it stands out from the app's output. */
  note(text: string): void {
    this.write(`[skiff ${new Date().toISOString()}] ${text}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, "a");
    this.size = 0;
  }
}

/** The last `count` lines of a log (and of its rotated predecessor when the current file is short). */
export function tailLines(path: string, count: number): string[] {
  const lines = readLastLines(path, count);
  if (lines.length < count && existsSync(`${path}.1`)) {
    return [...readLastLines(`${path}.1`, count - lines.length), ...lines];
  }
  return lines;
}

function readLastLines(path: string, count: number): string[] {
  if (!existsSync(path) || count <= 0) return [];
  const fd = openSync(path, "r");
  try {
    const size = statSync(path).size;
    const chunk = Buffer.alloc(64 * 1024);
    let position = size;
    let text = "";
    while (position > 0 && text.split("\n").length <= count + 1) {
      const length = Math.min(chunk.length, position);
      position -= length;
      readSync(fd, chunk, 0, length, position);
      text = chunk.subarray(0, length).toString("utf8") + text;
    }
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-count);
  } finally {
    closeSync(fd);
  }
}
