import { loadavg } from "node:os";

/** The value at quantile `q` (0..1) of `values`, nearest rank; 0 for none. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
}

/** "ok" or "MISSED" against a target, for the bench's summary lines. */
export function verdict(met: boolean): string {
  return met ? "ok" : "MISSED";
}

/** The 1, 5 and 15 minute load averages: the machine may be shared, so every bench prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
}
