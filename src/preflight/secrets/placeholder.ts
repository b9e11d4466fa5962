/**
 * Values people write where a real secret will go. Matching is on the lower-cased value, so these
 * are lower case. Kept conservative: a word that can occur by chance in a random token is not here.
 */
const PLACEHOLDER_WORDS = [
  "changeme",
  "change_me",
  "change-me",
  "example",
  "placeholder",
  "your_",
  "your-",
  "yourkey",
  "yourtoken",
  "yoursecret",
  "yourpassword",
  "dummy",
  "redacted",
  "replace",
  "insert",
  "xxxx",
  "****",
  "....",
  "<",
  ">",
  "${",
  "{{",
  "#{",
  "%(",
  "%s",
  "$(",
  "12345678",
  "abcdefgh",
  "qwerty",
  "sample",
  "notreal",
  "not_real",
  "not-a-real",
  "fake_",
  "_fake",
  "secret_here",
  "key_here",
  "token_here",
];

/** Seven or more of the same character in a row: `0000000`, `aaaaaaaa`. */
const REPEATED_RUN = /(.)\1{6,}/;

/** True when the value is a stand-in (`changeme`, `xxxx`, `<your-key>`, `${VAR}`, `example`…). */
export function isPlaceholder(value: string): boolean {
  const lower = value.toLowerCase();
  if (PLACEHOLDER_WORDS.some((word) => lower.includes(word))) return true;
  if (value.startsWith("$")) return true;
  return REPEATED_RUN.test(value);
}
