/** Keeping secrets out of what alerts and their error reports say. */

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

/** The user and password part of any URL in the text becomes `***`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, "$1***@");
}

/** Removes every occurrence of the given secret values, then any URL credentials. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short values would blank out ordinary words; such secrets are not worth the name anyway.
    if (secret.length >= 6) out = out.split(secret).join("***");
  }
  return redactUrlCredentials(out);
}
