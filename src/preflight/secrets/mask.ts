/** The only form in which a secret is ever shown: its first 4 characters, then `****`. */
export function maskSecret(secret: string): string {
  return `${secret.slice(0, 4)}****`;
}

/** Replaces every occurrence of each secret in `text` by its masked form. */
export function maskAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join(maskSecret(secret));
  }
  return out;
}
