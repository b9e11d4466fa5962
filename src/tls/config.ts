import { isAbsolute } from "node:path";
import { z } from "zod";
import { duration } from "../config/fields.js";

/**
 * The skiff.yml keys for HTTPS: `tls:` (how the app's hosts get certificates), `https_redirect:` and
 * `hsts:`. src/config/schema.ts spreads `tlsShape` into the app schema and `tlsConfig` into its output.
 */

export type TlsMode =
  /** A certificate per host from the agent's ACME directory (Let's Encrypt by default). */
  | { kind: "auto" }
  /** Plain HTTP only, even on an agent with a TLS listener. */
  | { kind: "off" }
  /** The operator's own certificate and key, files on the agent's machine, reloaded when they change. */
  | { kind: "files"; certFile: string; keyFile: string };

export interface Hsts {
  maxAgeSeconds: number;
  includeSubdomains: boolean;
}

export interface AppTls {
  mode: TlsMode;
  /** Plain-HTTP requests get 308 to https:// once the host has a certificate (never ACME challenges). */
  httpsRedirect: boolean;
  /** Strict-Transport-Security on HTTPS answers; off unless asked for (it is hard to take back). */
  hsts: Hsts | undefined;
}

/** What releases recorded before `tls:` existed behave as. */
export const DEFAULT_APP_TLS: AppTls = { mode: { kind: "auto" }, httpsRedirect: true, hsts: undefined };

export const TLS_KNOWN_KEYS: Record<string, string[]> = {
  "": ["tls", "https_redirect", "hsts"],
  tls: ["cert_file", "key_file"],
  hsts: ["max_age", "include_subdomains"],
};

const DEFAULT_HSTS_MAX_AGE = "365d";

const serverPath = (what: string) =>
  z
    .string({ error: `expected the absolute path of the ${what} on the agent's machine` })
    .refine((path) => isAbsolute(path), {
      error: `expected an absolute path on the agent's machine (like /etc/ssl/example.com/${what === "certificate" ? "fullchain.pem" : "privkey.pem"}); keys never go in the repository`,
    });

/**
 * A scalar or a mapping, each with its own schema, so an error inside the mapping keeps its key path
 * (`tls.key_file: …`) instead of a union's "expected one of".
 */
function scalarOrMapping<S extends z.ZodType, M extends z.ZodType>(
  scalar: S,
  mapping: M,
  fallback: z.input<S>,
) {
  return z
    .unknown()
    .transform((value, ctx): z.output<S> | z.output<M> => {
      const isMapping = typeof value === "object" && value !== null && !Array.isArray(value);
      const result = (isMapping ? mapping : scalar).safeParse(value);
      if (result.success) return result.data as z.output<S> | z.output<M>;
      for (const issue of result.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
      return z.NEVER;
    })
    .prefault(fallback);
}

const tlsField = scalarOrMapping(
  z.enum(["auto", "off"], {
    error: "expected auto, off, or { cert_file: /path/fullchain.pem, key_file: /path/privkey.pem }",
  }),
  z.strictObject({ cert_file: serverPath("certificate"), key_file: serverPath("private key") }),
  "auto",
);

const hstsField = scalarOrMapping(
  z.boolean({ error: "expected true, false, or { max_age: 365d, include_subdomains: false }" }),
  z.strictObject({
    max_age: duration(DEFAULT_HSTS_MAX_AGE),
    include_subdomains: z.boolean({ error: "expected true or false" }).default(false),
  }),
  false,
);

export const tlsShape = {
  tls: tlsField,
  https_redirect: z.boolean({ error: "expected true or false" }).default(true),
  hsts: hstsField,
};

type TlsFields = { [K in keyof typeof tlsShape]: z.output<(typeof tlsShape)[K]> };

export function tlsConfig(c: TlsFields): AppTls {
  const mode: TlsMode =
    typeof c.tls === "string"
      ? { kind: c.tls }
      : { kind: "files", certFile: c.tls.cert_file, keyFile: c.tls.key_file };
  const hsts =
    c.hsts === false
      ? undefined
      : c.hsts === true
        ? { maxAgeSeconds: 365 * 86_400, includeSubdomains: false }
        : { maxAgeSeconds: Math.floor(c.hsts.max_age / 1000), includeSubdomains: c.hsts.include_subdomains };
  return { mode, httpsRedirect: c.https_redirect, hsts };
}
