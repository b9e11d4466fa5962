import { readFileSync } from "node:fs";
import { parseHostPort } from "../cli/address.js";
import { DURATION_HINT, parseDuration } from "../config/duration.js";
import { UsageError } from "../errors.js";
import { LETS_ENCRYPT_DIRECTORY } from "./acme-issuer.js";
import type { TlsSettings } from "./tls-service.js";

/** The agent's TLS flags as commander gives them. */
export interface TlsFlags {
  tlsListen?: string | undefined;
  acmeEmail?: string | undefined;
  acmeDirectory?: string | undefined;
  acmeCaFile?: string | undefined;
  certRenewBefore?: string | undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The flags → settings, or undefined when HTTPS is off; every error names its flag. */
export function tlsSettingsFromFlags(flags: TlsFlags): TlsSettings | undefined {
  if (!flags.tlsListen) {
    const stray = (["acmeEmail", "acmeDirectory", "acmeCaFile", "certRenewBefore"] as const).find(
      (k) => flags[k],
    );
    if (stray)
      throw new UsageError(
        `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --tls-listen`,
        "turn HTTPS on with --tls-listen 0.0.0.0:443",
      );
    return undefined;
  }
  const listen = parseHostPort("--tls-listen", flags.tlsListen);
  const directoryUrl = flags.acmeDirectory ?? LETS_ENCRYPT_DIRECTORY;
  let url: URL | undefined;
  try {
    url = new URL(directoryUrl);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "https:")
    throw new UsageError(
      `--acme-directory ${directoryUrl}: expected the https:// URL of an ACME (RFC 8555) directory`,
      `Let's Encrypt's is ${LETS_ENCRYPT_DIRECTORY}`,
    );
  if (flags.acmeEmail !== undefined && !EMAIL.test(flags.acmeEmail))
    throw new UsageError(`--acme-email ${flags.acmeEmail}: expected an email address like ops@example.com`);
  if (flags.acmeCaFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.acmeCaFile, "utf8");
    } catch (error) {
      throw new UsageError(
        `--acme-ca-file ${flags.acmeCaFile}: cannot be read (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    if (!text.includes("-----BEGIN CERTIFICATE-----"))
      throw new UsageError(
        `--acme-ca-file ${flags.acmeCaFile}: expected a PEM certificate (-----BEGIN CERTIFICATE-----)`,
      );
  }
  let renewBeforeMs: number | undefined;
  if (flags.certRenewBefore !== undefined) {
    renewBeforeMs = parseDuration(flags.certRenewBefore);
    if (renewBeforeMs === undefined || renewBeforeMs <= 0)
      throw new UsageError(
        `--cert-renew-before ${flags.certRenewBefore}: expected ${DURATION_HINT}, like 30d`,
      );
  }
  return {
    listen,
    acme: { directoryUrl, email: flags.acmeEmail, caFile: flags.acmeCaFile },
    renewBeforeMs,
  };
}
