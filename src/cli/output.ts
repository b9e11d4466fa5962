import { styleText } from "node:util";
import { toErrorBody } from "../error-body.js";
import { SkiffError } from "../errors.js";
import { terminalSafe } from "./terminal-text.js";

type Style = Parameters<typeof styleText>[0];

/**
 * The one place the CLI prints. Humans get lines on stdout (errors on stderr);
 * with --json, stdout carries exactly the JSON document and nothing else. Every human line goes
 * through `terminalSafe`: commit messages, authors and reasons come from outside, and a control
 * character in them must be shown, not obeyed by the terminal (colour sequences pass).
 */
export class Output {
  readonly json: boolean;
  private readonly color: boolean;

  constructor(options: { json?: boolean; stdout?: NodeJS.WriteStream } = {}) {
    this.json = options.json ?? false;
    const stream = options.stdout ?? process.stdout;
    this.color = Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
  }

  paint(style: Style, text: string): string {
    return this.color ? styleText(style, text) : text;
  }

  /** A line for humans; silent in --json mode. */
  line(text = ""): void {
    if (!this.json) process.stdout.write(`${terminalSafe(text)}\n`);
  }

  /** A progress step with its duration, like `✓ built  1.2s`. */
  step(ok: boolean, name: string, durationMs?: number, detail?: string): void {
    const mark = ok ? this.paint("green", "✓") : this.paint("red", "✗");
    const time = durationMs === undefined ? "" : this.paint("dim", ` ${formatDuration(durationMs)}`);
    const extra = detail ? this.paint("dim", `  ${detail}`) : "";
    this.line(`${mark} ${name.padEnd(10)}${time}${extra}`.trimEnd());
  }

  warn(text: string): void {
    process.stderr.write(`${this.paint("yellow", "warning:")} ${terminalSafe(text)}\n`);
  }

  /** The machine-readable result of a command. */
  result(value: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON object per line, for streams such as `logs -f --json`. */
  jsonLine(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  }

  table(columns: string[], cells: string[][]): void {
    if (this.json) return;
    // Made safe before measuring, so that an escaped control character is counted as what is shown.
    const rows = cells.map((row) => row.map(terminalSafe));
    const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
    const render = (cells: string[]) =>
      cells
        .map((cell, i) =>
          i === cells.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleLength(cell)),
        )
        .join("  ")
        .trimEnd();
    this.line(this.paint("bold", render(columns)));
    for (const row of rows) this.line(render(row));
  }

  error(error: unknown): void {
    if (this.json) {
      const body = toErrorBody(error);
      process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${this.paint("red", "error:")} ${terminalSafe(message)}\n`);
    const details = (error as { details?: unknown }).details;
    if (Array.isArray(details) && details.length > 0) {
      const lines = details.map((d) => `  ${this.paint("dim", "│")} ${terminalSafe(String(d))}`);
      process.stderr.write(`${lines.join("\n")}\n`);
    }
    if (error instanceof SkiffError && error.hint) {
      process.stderr.write(`${this.paint("cyan", "hint:")} ${terminalSafe(error.hint)}\n`);
    }
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI, "").length;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
}

export { formatBytes } from "../format/bytes.js";

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "-";
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** The subject line of a commit message, shortened for a table. */
export function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/** `1 request`, `3 requests`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
