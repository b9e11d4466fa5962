import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import acme from "acme-client";
import type { CertStore } from "./cert-store.js";
import { type KeyedCertificate, readCertificate } from "./certificate.js";
import type { Challenges } from "./challenges.js";

export const LETS_ENCRYPT_DIRECTORY = acme.directory.letsencrypt.production;

export interface AcmeSettings {
  /** An RFC 8555 directory URL: Let's Encrypt (production or staging), ZeroSSL, Pebble… */
  directoryUrl: string;
  /** Contact for the account (optional at Let's Encrypt). */
  email?: string | undefined;
  /** Extra CA (PEM file) to trust for the directory's own HTTPS: a private ACME server, Pebble in tests. */
  caFile?: string | undefined;
}

/** How long one request to the CA may take before the attempt fails (and is retried with backoff). */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Gets a certificate for one host over ACME with the HTTP-01 challenge, through the maintained
 * `acme-client` library (the protocol is not written here). One new ECDSA P-256 key per certificate:
 * cheap handshakes, and a renewal never reuses a key.
 */
export class AcmeIssuer {
  private client: acme.Client | undefined;

  constructor(
    private readonly settings: AcmeSettings,
    private readonly store: CertStore,
    private readonly challenges: Challenges,
  ) {
    const ca = settings.caFile ? readFileSync(settings.caFile, "utf8") : undefined;
    // acme-client has one HTTP client per process; the agent is its only user.
    acme.axios.defaults.timeout = REQUEST_TIMEOUT_MS;
    if (ca) acme.axios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, ca] });
    // Its own retries would sleep out a rate limit's Retry-After (hours) inside one attempt, holding
    // everything behind it; the certificate manager retries with its own backoff instead.
    (
      acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }
    ).acmeSettings.retryMaxAttempts = 0;
  }

  async issue(host: string): Promise<KeyedCertificate> {
    const client = this.account();
    const keyPem = newKeyPem();
    const [, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, keyPem);
    const tokens: string[] = [];
    const chainPem = await client.auto({
      csr,
      ...(this.settings.email ? { email: this.settings.email } : {}),
      termsOfServiceAgreed: true,
      challengePriority: ["http-01"],
      // The library's self-check fetches http://host/ from this machine, which fails behind NAT or
      // on a test name; the CA's own validation is the check that counts.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        tokens.push(challenge.token);
        this.challenges.add(challenge.token, keyAuthorization);
      },
      challengeRemoveFn: async (_authz, challenge) => this.challenges.remove(challenge.token),
    });
    for (const token of tokens) this.challenges.remove(token);
    return readCertificate(chainPem, keyPem);
  }

  private account(): acme.Client {
    this.client ??= new acme.Client({
      directoryUrl: this.settings.directoryUrl,
      accountKey: this.store.accountKey(newKeyPem),
      // Polls for the challenge's and the order's status: the first after 1 s, at most 10 s apart.
      backoffAttempts: 12,
      backoffMin: 1000,
      backoffMax: 10_000,
    });
    return this.client;
  }
}

function newKeyPem(): string {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
}
