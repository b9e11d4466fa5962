/**
 * Files that are secrets by what they are, whatever their bytes (often binary, which the content
 * pass skips): a PKCS#12 bundle (`.p12`, `.pfx`) holds a certificate and its private key.
 */
export interface SecretFileRule {
  id: string;
  title: string;
  /** Tested against the path relative to the scanned directory. */
  path: RegExp;
}

export const SECRET_FILE_RULES: readonly SecretFileRule[] = [
  {
    id: "pkcs12-file",
    title: "PKCS#12 file (certificate with its private key)",
    path: /(?:^|\/)[^/]+\.(?:p12|pfx)$/i,
  },
];

export function secretFileRule(path: string): SecretFileRule | undefined {
  return SECRET_FILE_RULES.find((rule) => rule.path.test(path));
}
