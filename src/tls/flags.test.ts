import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { LETS_ENCRYPT_DIRECTORY } from "./acme-issuer.js";
import { type TlsFlags, tlsSettingsFromFlags } from "./flags.js";

const dir = mkdtempSync(join(tmpdir(), "skiff-tls-flags-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ca = join(dir, "ca.pem");
writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
const notPem = join(dir, "key.txt");
writeFileSync(notPem, "hello");

describe("tlsSettingsFromFlags", () => {
  it("is off without --tls-listen", () => expect(tlsSettingsFromFlags({})).toBeUndefined());

  it("defaults to Let's Encrypt production", () => {
    expect(tlsSettingsFromFlags({ tlsListen: "0.0.0.0:443" })).toEqual({
      listen: { host: "0.0.0.0", port: 443 },
      acme: { directoryUrl: LETS_ENCRYPT_DIRECTORY, email: undefined, caFile: undefined },
      renewBeforeMs: undefined,
    });
  });

  it("takes every flag", () => {
    expect(
      tlsSettingsFromFlags({
        tlsListen: "127.0.0.1:8443",
        acmeEmail: "ops@example.com",
        acmeDirectory: "https://127.0.0.1:14000/dir",
        acmeCaFile: ca,
        certRenewBefore: "3650d",
      }),
    ).toEqual({
      listen: { host: "127.0.0.1", port: 8443 },
      acme: { directoryUrl: "https://127.0.0.1:14000/dir", email: "ops@example.com", caFile: ca },
      renewBeforeMs: 3650 * 86_400_000,
    });
  });

  it.each<[TlsFlags, string]>([
    [{ acmeEmail: "ops@example.com" }, "--acme-email needs --tls-listen"],
    [{ certRenewBefore: "30d" }, "--cert-renew-before needs --tls-listen"],
    [{ tlsListen: "443" }, "--tls-listen 443: expected HOST:PORT"],
    [
      { tlsListen: ":443", acmeDirectory: "http://acme.example/dir" },
      "--acme-directory http://acme.example/dir: expected the https:// URL",
    ],
    [{ tlsListen: ":443", acmeEmail: "ops" }, "--acme-email ops: expected an email address"],
    [{ tlsListen: ":443", acmeCaFile: join(dir, "missing.pem") }, "cannot be read (ENOENT)"],
    [{ tlsListen: ":443", acmeCaFile: notPem }, "expected a PEM certificate"],
    [{ tlsListen: ":443", certRenewBefore: "a month" }, "--cert-renew-before a month: expected a duration"],
  ])("%j is a usage error", (flags, message) => {
    expect(() => tlsSettingsFromFlags(flags)).toThrow(UsageError);
    expect(() => tlsSettingsFromFlags(flags)).toThrow(message);
  });
});
