import { createPrivateKey, X509Certificate } from "node:crypto";

/** What Skiff shows and decides on about a certificate: read from the PEM, never trusted from elsewhere. */
export interface CertInfo {
  /** DNS names in its subjectAltName. */
  names: string[];
  /** The issuing CA's common name (or organization). */
  issuer: string;
  serial: string;
  notBefore: number;
  notAfter: number;
}

/** A certificate chain (leaf first) with its private key, both PEM. */
export interface KeyedCertificate {
  chainPem: string;
  keyPem: string;
  info: CertInfo;
}

export class CertificateError extends Error {}

const BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

/**
 * Checks a chain and key belong together and reads the leaf. Throws CertificateError saying what is
 * wrong (no certificate, no key, a key of another certificate), never the key itself.
 */
export function readCertificate(chainPem: string, keyPem: string): KeyedCertificate {
  const leafPem = [...chainPem.matchAll(BLOCK)].find((m) => m[1] === "CERTIFICATE")?.[0];
  if (!leafPem) throw new CertificateError("no PEM certificate (-----BEGIN CERTIFICATE-----) found");
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
  } catch (error) {
    throw new CertificateError(`the certificate cannot be read: ${(error as Error).message}`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new CertificateError("no readable PEM private key found");
  }
  if (!leaf.checkPrivateKey(key))
    throw new CertificateError("the private key does not belong to the certificate");
  return { chainPem, keyPem, info: certInfo(leaf) };
}

function certInfo(leaf: X509Certificate): CertInfo {
  const names = (leaf.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice(4).toLowerCase());
  return {
    names,
    issuer: field(leaf.issuer, "CN") ?? field(leaf.issuer, "O") ?? leaf.issuer.replace(/\n/g, ", "),
    serial: leaf.serialNumber,
    notBefore: Date.parse(leaf.validFrom),
    notAfter: Date.parse(leaf.validTo),
  };
}

function field(name: string, key: string): string | undefined {
  return name
    .split("\n")
    .find((line) => line.startsWith(`${key}=`))
    ?.slice(key.length + 1);
}

/** Whether the certificate is valid for `host` (RFC 6125: one wildcard label at most, left-most). */
export function covers(info: CertInfo, host: string): boolean {
  return info.names.some(
    (name) =>
      name === host ||
      (name.startsWith("*.") &&
        host.endsWith(name.slice(1)) &&
        !host.slice(0, -name.length + 1).includes(".")),
  );
}

/** The one-file form kept in DATA_DIR/certs: key first, then the chain, so one rename replaces both. */
export function combinedPem(certificate: { chainPem: string; keyPem: string }): string {
  return `${certificate.keyPem.trim()}\n${certificate.chainPem.trim()}\n`;
}

export function splitCombined(pem: string): { chainPem: string; keyPem: string } {
  const blocks = [...pem.matchAll(BLOCK)];
  return {
    keyPem: blocks
      .filter((m) => m[1]!.endsWith("PRIVATE KEY"))
      .map((m) => m[0])
      .join("\n"),
    chainPem: `${blocks
      .filter((m) => m[1] === "CERTIFICATE")
      .map((m) => m[0])
      .join("\n")}\n`,
  };
}
