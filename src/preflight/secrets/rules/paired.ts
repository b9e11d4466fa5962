import { BASE32, BASE64, DIGITS } from "../charsets.js";
import type { Rng } from "../random.js";
import type { SecretRule } from "../rule.js";
import { PEM_BODY } from "./keys.js";

const AWS_KEY_ID = /(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/;

/**
 * An AWS secret access key has no prefix: 40 base64 characters. Alone that is any hash; next to an
 * access key ID (within a few lines, as in a credentials CSV or an ~/.aws/credentials file) it is the
 * key's secret half. gitleaks has no rule for it without an `aws_secret…` name.
 */
const awsSecretNextToKeyId: SecretRule = {
  id: "aws-secret-key-near-key-id",
  title: "AWS secret access key next to its key ID",
  keywords: ["akia", "asia", "abia", "acca"],
  regex: /(?<![A-Za-z0-9/+=])(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dg,
  window: { before: 300, after: 300, multiline: true },
  minEntropy: 4.2,
  generic: false,
  verify: ({ secret, text, index }) =>
    /[a-z]/.test(secret) &&
    /[A-Z]/.test(secret) &&
    /\d/.test(secret) &&
    AWS_KEY_ID.test(text.slice(Math.max(0, index - 300), index + 340)),
  examples: (rng) => {
    const id = `AKIA${rng.chars(BASE32, 16)}`;
    const secret = strongBase64(rng, 40);
    return [{ value: `${id},${secret}`, secret }];
  },
  nearMisses: (rng) => {
    const id = `AKIA${rng.chars(BASE32, 16)}`;
    const sha = rng.chars({ cls: "0-9a-f", chars: "0123456789abcdef" }, 40);
    return [{ value: `${id} ${sha}`, secret: sha }];
  },
};

/** Random base64 that has a lower-case letter, an upper-case letter and a digit, as real keys do. */
function strongBase64(rng: Rng, length: number): string {
  for (;;) {
    const value = rng.chars(BASE64, length);
    if (/[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value)) return value;
  }
}

/** The private key inside a Google Cloud service-account JSON key file. */
const gcpServiceAccount: SecretRule = {
  id: "gcp-service-account-key",
  title: "Google Cloud service account key (JSON)",
  keywords: ['"private_key"'],
  regex: /"private_key"\s*:\s*"-----BEGIN PRIVATE KEY-----(?:\\n)+(?<s>[A-Za-z0-9+/]{40,})/dg,
  window: { before: 2, after: 200 },
  maskThrough: PEM_BODY,
  minEntropy: 3,
  generic: false,
  verify: ({ text }) => text.includes('"service_account"'),
  examples: (rng) => {
    const body = Array.from({ length: 10 }, () => rng.chars(BASE64, 64));
    const project = `proj-${rng.chars(DIGITS, 6)}`;
    const value = JSON.stringify(
      {
        type: "service_account",
        project_id: project,
        private_key_id: rng.chars({ cls: "0-9a-f", chars: "0123456789abcdef" }, 40),
        private_key: `-----BEGIN PRIVATE KEY-----\n${body.join("\n")}\n-----END PRIVATE KEY-----\n`,
        client_email: `deployer@${project}.iam.gserviceaccount.com`,
        client_id: rng.chars(DIGITS, 21),
        token_uri: "https://oauth2.googleapis.com/token",
      },
      null,
      2,
    );
    return [{ value, secret: body[0]! }];
  },
  nearMisses: () => [
    { value: JSON.stringify({ type: "service_account", private_key: "" }, null, 2), secret: "", clean: true },
  ],
};

/** Credentials recognised by what sits next to them. */
export const pairedRules: SecretRule[] = [gcpServiceAccount, awsSecretNextToKeyId];
