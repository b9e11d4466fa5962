import { BASE64, BASE64URL } from "../charsets.js";
import type { Rng } from "../random.js";
import { escapeRegex, type SecretRule } from "../rule.js";

/** A PEM block's base64 body, 64 characters a line, as tools write it. */
function pemBody(rng: Rng, lines: number): string[] {
  return Array.from({ length: lines }, () => rng.chars(BASE64, 64));
}

/** The rest of a PEM body: base64, line ends, and `\n` escapes when the key sits in JSON or a string. */
export const PEM_BODY = /(?:[A-Za-z0-9+/=\s]|\\[nr])*/y;

/**
 * `-----BEGIN <label>-----`, optional PEM headers (Proc-Type:, Version:), then at least 40 characters
 * of base64. The body may follow on the next line or, inside JSON or a string, after a literal `\n`.
 */
function pemRule(id: string, title: string, label: string): SecretRule {
  const header = `-----BEGIN ${label}-----`;
  const gap = "(?:\\s|\\\\[nr])*";
  const pemHeaders = `(?:[A-Za-z][A-Za-z-]*: [^\\n\\\\]*(?:\\r?\\n|\\\\n)${gap})*`;
  return {
    id,
    title,
    keywords: [`begin ${label.toLowerCase()}-----`],
    regex: new RegExp(`${escapeRegex(header)}${gap}${pemHeaders}(?<s>[A-Za-z0-9+/]{40,})`, "gd"),
    window: { before: header.length + 2, after: 1024, multiline: true },
    maskThrough: PEM_BODY,
    minEntropy: 3,
    generic: false,
    examples: (rng) => {
      const body = pemBody(rng, rng.int(4, 12));
      const value = [header, ...body, `-----END ${label}-----`].join("\n");
      return [{ value, secret: body[0]! }];
    },
    nearMisses: () => [
      { value: `${header}\n<paste your key here>\n-----END ${label}-----`, secret: "<paste", clean: true },
      { value: `${header}\n...\n-----END ${label}-----`, secret: "...", clean: true },
    ],
  };
}

/** The header of a JWT must decode to JSON naming its algorithm: that rules out other `eyJ…` base64. */
function isJwtHeader(segment: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as unknown;
    return typeof header === "object" && header !== null && "alg" in header;
  } catch {
    return false;
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/**
 * Header and payload are base64url JSON objects, so both start `ey`; the payload's `.ey` is the
 * keyword (rarer in code than `eyJ`, which every inline source map starts with). The signature may
 * be empty (`alg: none`). A header that does not decode is still reported when the shape holds with
 * long parts: a truncated or hand-edited token in a test is still a token.
 */
const jwt: SecretRule = {
  id: "jwt",
  title: "JSON Web Token",
  keywords: [".ey"],
  regex:
    /(?<![A-Za-z0-9_\\/+-])(?<s>ey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_/-]{10,}\.(?:[A-Za-z0-9_/-]{10,}={0,2})?)(?![A-Za-z0-9_-])/dg,
  window: { before: 2000, after: 6000 },
  minEntropy: 3,
  generic: false,
  verify: (context) => {
    const [header = "", payload = ""] = context.secret.split(".");
    return isJwtHeader(header) || (header.length >= 19 && payload.length >= 19);
  },
  examples: (rng) => {
    const header = base64url({ alg: rng.pick(["HS256", "RS256", "ES256"]), typ: "JWT" });
    const payload = base64url({ sub: rng.chars(BASE64URL, 12), iat: rng.int(1.6e9, 1.8e9), role: "service" });
    const value = `${header}.${payload}.${rng.chars(BASE64URL, 43)}`;
    return [{ value, secret: value }];
  },
  nearMisses: (rng) => {
    // Too short to be a token by shape alone, and its header is no JSON.
    const junk = `eyJ${rng.chars(BASE64URL, 9)}.eyJ${rng.chars(BASE64URL, 12)}.${rng.chars(BASE64URL, 43)}`;
    const twoParts = `${base64url({ alg: "HS256" })}.${base64url({ sub: "x" })}`;
    return [
      { value: junk, secret: junk, clean: true },
      { value: twoParts, secret: twoParts, clean: true },
    ];
  },
};

const puttyKey: SecretRule = {
  id: "putty-private-key",
  title: "PuTTY private key",
  keywords: ["private-lines:"],
  regex: /Private-Lines: \d+\r?\n(?<s>[A-Za-z0-9+/]{40,})/dg,
  window: { before: 16, after: 200, multiline: true },
  minEntropy: 3,
  generic: false,
  verify: (context) => context.text.includes("PuTTY-User-Key-File-"),
  examples: (rng) => {
    const body = pemBody(rng, 6);
    const value = [
      "PuTTY-User-Key-File-3: ssh-ed25519",
      "Encryption: none",
      "Comment: deploy",
      "Public-Lines: 2",
      rng.chars(BASE64, 64),
      rng.chars(BASE64, 20),
      `Private-Lines: ${body.length}`,
      ...body,
      `Private-MAC: ${rng.chars(BASE64, 40)}`,
    ].join("\n");
    return [{ value, secret: body[0]! }];
  },
  nearMisses: () => [{ value: "Private-Lines: 1\nAAAA\n", secret: "AAAA", clean: true }],
};

/** `eyJ` in base64 is `ZXlK`: a JWT encoded once more, as Kubernetes secrets and some configs hold them. */
const jwtBase64: SecretRule = {
  id: "jwt-base64",
  title: "JSON Web Token (base64-encoded)",
  keywords: ["zxlk"],
  regex: /(?<![A-Za-z0-9+/_-])(?<s>ZXlK[A-Za-z0-9+/_-]{40,}={0,2})/dg,
  window: { before: 2, after: 8000 },
  minEntropy: 3,
  generic: false,
  keywordStartsToken: true,
  verify: (context) => {
    const decoded = Buffer.from(context.secret, "base64").toString("latin1");
    return /^ey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\./.test(decoded);
  },
  examples: (rng) => {
    const token = jwt.examples(rng)[0]!.value;
    const value = Buffer.from(token).toString("base64");
    return [{ value, secret: value }];
  },
  nearMisses: (rng) => {
    const value = Buffer.from(`{"x":"${rng.chars(BASE64URL, 40)}"}`).toString("base64");
    return [{ value, secret: value, clean: true }];
  },
};

/** Private keys in every common container, and tokens that carry their own structure. */
export const keyRules: SecretRule[] = [
  pemRule("private-key-rsa", "RSA private key", "RSA PRIVATE KEY"),
  pemRule("private-key-ec", "EC private key", "EC PRIVATE KEY"),
  pemRule("private-key-dsa", "DSA private key", "DSA PRIVATE KEY"),
  pemRule("private-key-openssh", "OpenSSH private key", "OPENSSH PRIVATE KEY"),
  pemRule("private-key-pkcs8", "PKCS#8 private key", "PRIVATE KEY"),
  pemRule("private-key-encrypted", "Encrypted private key", "ENCRYPTED PRIVATE KEY"),
  pemRule("private-key-pgp", "PGP private key block", "PGP PRIVATE KEY BLOCK"),
  puttyKey,
  jwt,
  jwtBase64,
];
