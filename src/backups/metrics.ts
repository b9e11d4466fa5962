import { Counter, Gauge, type Registry } from "prom-client";

type Labels = "app" | "env" | "database";

/**
 * Backup series on the agent's /metrics (the registry of src/metrics/prometheus.ts). Alert on
 * `time() - skiff_backup_last_success_timestamp_seconds` rather than on the failure counter: it also
 * catches a scheduler that stopped.
 */
export class BackupMetrics {
  private readonly lastSuccess: Gauge<Labels>;
  private readonly size: Gauge<Labels>;
  private readonly duration: Gauge<Labels>;
  private readonly runs: Counter<Labels | "outcome">;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ["app", "env", "database"] as const;
    this.lastSuccess = new Gauge({
      name: "skiff_backup_last_success_timestamp_seconds",
      help: "When the newest verified backup of each database was taken (Unix time).",
      labelNames,
      registers,
    });
    this.size = new Gauge({
      name: "skiff_backup_last_size_bytes",
      help: "Size of the newest verified backup's archive, as stored.",
      labelNames,
      registers,
    });
    this.duration = new Gauge({
      name: "skiff_backup_last_duration_seconds",
      help: "How long the newest verified backup took: snapshot, archive, verification and copies.",
      labelNames,
      registers,
    });
    this.runs = new Counter({
      name: "skiff_backups_total",
      help: "Backups by outcome: good (verified), bad (failed verification), failed (not taken).",
      labelNames: [...labelNames, "outcome"],
      registers,
    });
  }

  good(labels: Record<Labels, string>, takenAt: number, bytes: number, durationMs: number): void {
    this.setLast(labels, takenAt, bytes, durationMs);
    this.runs.labels({ ...labels, outcome: "good" }).inc();
  }

  /** The newest good backup as the ledger has it: after an agent restart the series are there at once. */
  setLast(labels: Record<Labels, string>, takenAt: number, bytes: number, durationMs: number): void {
    this.lastSuccess.labels(labels).set(takenAt / 1000);
    this.size.labels(labels).set(bytes);
    this.duration.labels(labels).set(durationMs / 1000);
  }

  notGood(labels: Record<Labels, string>, outcome: "bad" | "failed"): void {
    this.runs.labels({ ...labels, outcome }).inc();
  }
}
