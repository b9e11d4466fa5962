import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CertificateError,
  combinedPem,
  type KeyedCertificate,
  readCertificate,
  splitCombined,
} from "./certificate.js";

/** What the agent remembers about a host's certificate besides the certificate itself. */
export interface HostRecord {
  /** When this agent obtained the current certificate (not the CA's notBefore, which may be backdated). */
  obtainedAt?: number;
  lastAttempt?: { at: number; ok: boolean; error?: string };
  /** Failed attempts in a row; 0 after a success. */
  failures: number;
  /** When the current run of failures began. */
  failingSince?: number;
  /** No order before this (backoff after failures, a CA's rate limit). */
  notBefore?: number;
  /** When the app's channels were last told about a failure, so a failing host does not alert every retry. */
  alertedAt?: number;
}

/**
 * DATA_DIR/certs: `account.key` (the ACME account), `ticket-key.json` (the HTTPS port's session-ticket
 * key, see ticket-keys.ts), and per host `<host>.pem` (private key and chain in
 * one file, so one rename replaces both and a crash never pairs a new key with an old certificate) and
 * `<host>.json` (its HostRecord). Every file 0600, the directory 0700. Host names are validated
 * skiff.yml hosts (lowercase letters, digits, dots, dashes), safe as file names.
 */
export class CertStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** The account key, created by `create` (and saved) on first use. */
  accountKey(create: () => string): string {
    const file = join(this.dir, "account.key");
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const key = create();
    writeAtomically(file, key);
    return key;
  }

  /** The saved session-ticket key (ticket-keys.ts reads it), undefined when there is none yet. */
  ticketKey(): string | undefined {
    try {
      return readFileSync(join(this.dir, "ticket-key.json"), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  saveTicketKey(text: string): void {
    writeAtomically(join(this.dir, "ticket-key.json"), text);
  }

  /** The saved certificate of `host`; undefined when there is none, an Error when the file is damaged. */
  load(host: string): KeyedCertificate | CertificateError | undefined {
    let pem: string;
    try {
      pem = readFileSync(this.pemFile(host), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const { chainPem, keyPem } = splitCombined(pem);
    try {
      return readCertificate(chainPem, keyPem);
    } catch (error) {
      if (error instanceof CertificateError) return error;
      throw error;
    }
  }

  save(host: string, certificate: KeyedCertificate): void {
    writeAtomically(this.pemFile(host), combinedPem(certificate));
  }

  record(host: string): HostRecord {
    try {
      return {
        failures: 0,
        ...(JSON.parse(readFileSync(this.recordFile(host), "utf8")) as Partial<HostRecord>),
      };
    } catch {
      return { failures: 0 };
    }
  }

  saveRecord(host: string, record: HostRecord): void {
    writeAtomically(this.recordFile(host), `${JSON.stringify(record, null, 2)}\n`);
  }

  pemFile(host: string): string {
    return join(this.dir, `${host}.pem`);
  }

  private recordFile(host: string): string {
    return join(this.dir, `${host}.json`);
  }
}

/** Written beside, then renamed over: a reader sees the old file or the new one, never half of one. */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
