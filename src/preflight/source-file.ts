import { maskSecret } from "./secrets/mask.js";

/** A span of bytes holding a secret, to mask wherever the line is shown. */
export interface SecretSpan {
  start: number;
  end: number;
}

const SNIPPET_WIDTH = 200;

/**
 * One file's bytes, with the views the detectors need, each built only when first asked for:
 * the text (latin1, so string offsets are byte offsets), line starts, line and column of an offset.
 */
export class SourceFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** Secret spans found in this file; every snippet masks all of them. */
  readonly secrets: SecretSpan[] = [];
  private cachedText: string | undefined;
  /** The bytes as a Buffer (same memory), for latin1 slices. */
  private readonly view: Buffer;
  private lineStarts: number[] | undefined;

  constructor(path: string, bytes: Uint8Array) {
    this.path = path;
    this.bytes = bytes;
    this.view = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get text(): string {
    this.cachedText ??= this.view.toString("latin1");
    return this.cachedText;
  }

  /** Bytes from…to as a string (latin1: one character per byte), without decoding the whole file. */
  slice(from: number, to: number): string {
    if (this.cachedText !== undefined) return this.cachedText.slice(from, to);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString(
      "latin1",
      from,
      to,
    );
  }

  /** 1-based line and column (in characters) of a byte offset, and the line's byte range. */
  position(offset: number): { line: number; column: number; start: number; end: number } {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const start = starts[lo]!;
    const next = starts[lo + 1];
    let end = next === undefined ? this.bytes.length : next - 1;
    if (end > start && this.bytes[end - 1] === 13) end--;
    const column = this.decode(start, offset).length + 1;
    return { line: lo + 1, column, start, end };
  }

  /** Byte offset where 1-based `line` starts. */
  lineStart(line: number): number {
    return this.starts()[line - 1] ?? this.bytes.length;
  }

  /** The raw text of line `start…end` (latin1), for `skiff:allow` checks. */
  lineText(start: number, end: number): string {
    return this.slice(start, end);
  }

  /** Text of the line before the one starting at `start`, or "" for the first line. */
  previousLineText(start: number): string {
    if (start === 0) return "";
    const prev = this.position(start - 1);
    return this.lineText(prev.start, prev.end);
  }

  /** The line for display: every secret on it masked, cut to a readable width around `column`. */
  snippet(start: number, end: number, column: number): string {
    const pieces: string[] = [];
    let at = start;
    for (const span of mergeSpans(this.secrets)) {
      if (span.end <= start || span.start >= end) continue;
      const from = Math.max(span.start, start);
      pieces.push(this.decode(at, from), maskSecret(this.decode(from, Math.min(span.end, end))));
      at = Math.min(span.end, end);
    }
    pieces.push(this.decode(at, end));
    const line = pieces.join("").replace(/\t/g, " ");
    if (line.length <= SNIPPET_WIDTH) return line.trimEnd();
    const from = Math.max(0, Math.min(column - 60, line.length - SNIPPET_WIDTH));
    return `${from > 0 ? "…" : ""}${line.slice(from, from + SNIPPET_WIDTH)}…`;
  }

  private decode(from: number, to: number): string {
    return this.view.toString("utf8", from, to);
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      const bytes = this.bytes;
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }
}

/** Overlapping spans (two rules on one value) become one, so no part of either shows. */
function mergeSpans(spans: readonly SecretSpan[]): SecretSpan[] {
  const merged: SecretSpan[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}
