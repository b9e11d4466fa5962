import { Gauge, type Registry } from "prom-client";
import type { CertInfo } from "./certificate.js";

/**
 * `skiff_certificate_expiry_timestamp_seconds{host}`: when each served certificate expires (Unix time),
 * so an alert rule reads `skiff_certificate_expiry_timestamp_seconds - time() < 14 * 86400`. Registered
 * on the agent's own registry (GET /metrics).
 */
export class CertMetrics {
  private readonly expiry: Gauge<"host">;

  constructor(registry: Registry) {
    this.expiry = new Gauge({
      name: "skiff_certificate_expiry_timestamp_seconds",
      help: "When the certificate served for each host expires, in seconds since the Unix epoch.",
      labelNames: ["host"],
      registers: [registry],
    });
  }

  served(host: string, info: CertInfo | undefined): void {
    if (info) this.expiry.labels(host).set(Math.floor(info.notAfter / 1000));
    else this.expiry.remove(host);
  }
}
