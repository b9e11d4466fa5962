import {
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  statSync,
  writeSync,
} from "node:fs";

export const DEFAULT_LOG_CAP = 10 * 1024 * 1024;

/**
 * An append-only log with a size cap: past the cap its content moves to `<file>.1` (replacing the older
 * one) and the file starts again empty, so a chatty app never fills the disk. App processes write to
 * the file themselves (their stdout and stderr are `fd`, opened O_APPEND), not through a pipe to the
 * agent: an app must outlive the agent (a reload, a crash) without a broken pipe. That is also why
 * rotation copies and truncates rather than renames: every writer keeps appending to the same file.
 */
export class LogFile {
  /** O_APPEND: the agent's notes and every instance's output land whole at the end. */
  readonly fd: number;

  constructor(
    readonly path: string,
    private readonly cap = DEFAULT_LOG_CAP,
  ) {
    this.fd = openSync(path, "a");
  }

  write(chunk: string | Buffer): void {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const size = fstatSync(this.fd).size;
    if (size + data.length > this.cap && size > 0) this.rotate();
    writeSync(this.fd, data);
  }

  /** Rotates if the apps' own writes took the file past its cap (the runtime asks every few seconds). */
  enforceCap(): void {
    if (fstatSync(this.fd).size > this.cap) this.rotate();
  }

  /** A line from skiff itself, marked so it stands out from the app's output. */
  note(text: string): void {
    this.write(`[skiff ${new Date().toISOString()}] ${text}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    copyFileSync(this.path, `${this.path}.1`);
    ftruncateSync(this.fd, 0);
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
