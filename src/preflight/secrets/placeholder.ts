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

/**
 * Seven or more of a filler character in a row: `0000000`, `xxxxxxx`, `*******`. Not any character:
 * a format's own alphabet can repeat (an age key's body of `Q`s in its documentation is still one).
 */
const REPEATED_RUN = /([0xX*.#_a-])\1{6,}/;

/** `mypassword`, `my-secret-token`, `MyApiKey`: the owner's value, to be filled in, like `your_…`. */
const MINE = /^my[_-]?(?:pass|pwd|secret|token|api|key|cred)/i;

/** True when the value is a stand-in (`changeme`, `xxxx`, `<your-key>`, `${VAR}`, `example`…). */
export function isPlaceholder(value: string): boolean {
  const lower = value.toLowerCase();
  if (PLACEHOLDER_WORDS.some((word) => lower.includes(word))) return true;
  if (value.startsWith("$") || MINE.test(value)) return true;
  return REPEATED_RUN.test(value);
}
