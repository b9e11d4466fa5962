import { createHmac } from "node:crypto";

/**
 * Credentials published on purpose, as examples in a provider's documentation or SDK tests: finding
 * them in a repository leaks nothing. Exact values only, each with where it is published (jwt.io's
 * token is one of the JWTs signed with a published key, below); the same
 * lists other scanners allow (gitleaks keeps the Firebase and NuGet ones in its rules' allowlists).
 */
const PUBLIC_EXAMPLES: ReadonlySet<string> = new Set([
  // Firebase Android SDK's test and sample keys (github.com/firebase/firebase-android-sdk).
  "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
  "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
  "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM",
  "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
  "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0",
  "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
  "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c",
  "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
  "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY",
  "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
  "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ",
  "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
  "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU",
  "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
  "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE",
  "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
  // The nuget.config reference's sample passwords (learn.microsoft.com/nuget/reference/nuget-config-file).
  "33f!!lloppa",
  "hal+9ooo_da!sY",
  // The npm-search Algolia key (search-only, public by design) that every Yarn Berry release bundles:
  // a committed `.yarn/releases/yarn-*.cjs` holds it (github.com/yarnpkg/berry/issues/6201).
  "6fe4476ee5a1832882e326b506d14126",
  // Stripe's API reference test keys.
  "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
  "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
]);

/**
 * HMAC keys that are published as defaults: a JWT signed with one can be made by anyone, so finding
 * it leaks nothing (the key is what matters, and it is public).
 */
const PUBLISHED_JWT_KEYS = [
  // jwt.io's debugger, for HS256/384/512.
  "your-256-bit-secret",
  "your-384-bit-secret",
  "your-512-bit-secret",
  // The Supabase CLI's local stack (`supabase start`): its anon and service_role keys.
  "super-secret-jwt-token-with-at-least-32-characters-long",
  // The examples of jsonwebtoken's README and tests. Not `secret`: gitleaks' corpus counts a token
  // signed with it as a leak in one place and not in another, and apps do ship with that key.
  "shhhhh",
  "key",
];

const HMAC: Record<string, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };

/** A JWT (`header.payload.signature`) HMAC-signed with one of PUBLISHED_JWT_KEYS. */
function signedWithPublishedKey(token: string): boolean {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[0]!.startsWith("ey") || parts[2]!.length < 16) return false;
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as { alg?: unknown }).alg;
  } catch {
    return false;
  }
  const hash = typeof alg === "string" ? HMAC[alg] : undefined;
  if (!hash) return false;
  const signature = parts[2]!.replace(/=+$/, "");
  const signed = `${parts[0]}.${parts[1]}`;
  return PUBLISHED_JWT_KEYS.some(
    (key) => createHmac(hash, key).update(signed).digest("base64url") === signature,
  );
}

/** A value published on purpose: one of PUBLIC_EXAMPLES, or a JWT anyone can sign. */
export function isPublicExample(secret: string): boolean {
  return PUBLIC_EXAMPLES.has(secret) || (secret.startsWith("ey") && signedWithPublishedKey(secret));
}
