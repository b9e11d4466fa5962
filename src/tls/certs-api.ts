import { Hono } from "hono";

/** One host's certificate as `skiff certs` shows it (GET /v1/certs). */
export interface CertView {
  host: string;
  app: string;
  env: string;
  /** acme: issued over ACME; files: the app's own cert_file/key_file; none: no certificate yet. */
  source: "acme" | "files" | "none";
  issuer: string | null;
  notBefore: string | null;
  notAfter: string | null;
  /** When the agent renews it (ACME only). */
  renewAt: string | null;
  lastAttempt: { at: string; ok: boolean; error: string | null } | null;
  /** Failed attempts in a row, and when the next one is allowed. */
  failures: number;
  nextAttemptAt: string | null;
  /** Why the host has no certificate and will not get one as configured (a wildcard with tls: auto…). */
  problem: string | null;
}

export interface CertsResponse {
  /** False when the agent runs without --tls-listen. */
  enabled: boolean;
  listen: string | null;
  directory: string | null;
  certificates: CertView[];
}

/** GET /v1/certs, mounted by the agent under its token-checked /v1 routes. */
export function certsRoutes(view: () => CertsResponse): Hono {
  const routes = new Hono();
  routes.get("/", (c) => c.json(view()));
  return routes;
}
