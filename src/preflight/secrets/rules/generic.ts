import { ASSIGN, delimiterBefore } from "../assignment.js";
import { base64Text } from "../base64-text.js";
import { ALNUM } from "../charsets.js";
import { shannonEntropy } from "../entropy.js";
import { spellsCredentialWord, typedByHand } from "../hand-typed.js";
import { isPlaceholder } from "../placeholder.js";
import type { Rng } from "../random.js";
import { anyCase, type MatchContext, type SecretRule } from "../rule.js";
import { namesStandIn, snakeWords } from "../stand-in-name.js";

/**
 * Files where `password: hunter2hunter2` without quotes is a value, not code: config, Makefiles and
 * shell (where `TOKEN=abc` assigns the text `abc`).
 */
const CONFIG_FILE =
  /(?:^|\/)(?:\.env(?:\.[\w.-]+)?|[^/]*\.(?:ya?ml|ini|cfg|conf|config|properties|toml|env|tfvars|netrc|npmrc|pypirc|mk|sh|bash|zsh)|Dockerfile|docker-compose[^/]*|[Mm]akefile|GNUmakefile)$/i;

/** Text standing for a value rather than being one: `${VAR}`, `$(cmd)`, `%(name)s`, `%VAR%`, `{{ x }}`. */
const TEMPLATE = /^\$|\$\{|\$\(|%\(|%[sd]$|%[A-Z_]+%|\{\{|#\{/;

/** Names of values meant to be seen: a public key, a CSRF token, a page cursor. */
const PUBLIC_NAME =
  /(?:public|publishable|csrf|xsrf|authenticity|page|cursor|continuation)[_.-]?(?:api[_.-]?)?$/i;

/** Code, paths, URLs and words rather than a random value. */
function looksRandom(value: string): boolean {
  if (spellsCredentialWord(value)) return false;
  if (/^[./~]|:\/\/|^urn:|[(){}[\]<>\\]/i.test(value) || TEMPLATE.test(value)) return false;
  // snake_case, kebab-case, dotted or camelCase words without digits: identifiers, not secrets.
  if (/^[A-Za-z]+(?:[._-][A-Za-z]+)*$/.test(value)) return false;
  // Words and numbers joined (`0002_auto_20160226_1747`, `v2-beta-3`): a name, a date, a version.
  if (/^(?:[a-z]+|[A-Z]+|\d+)(?:[._-](?:[a-z]+|[A-Z]+|\d+)){2,}$/.test(value)) return false;
  // Three capitalised words in a row (`AgencyIdentificationCode`): a type or a name, not random.
  if (/(?:[A-Z][a-z]{3,}){3}/.test(value)) return false;
  if (typedByHand(value)) return false;
  // Random tokens and real passwords almost always have a digit; identifiers and sentinels rarely do.
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  return classes >= 2 && /\d/.test(value);
}

const MIN_ENTROPY = 3;

/**
 * A value as it would be judged: base64-encoded text (a Kubernetes Secret's `password: cGFzc3dvcmQ=`)
 * is judged by the text, which must then be as long and as random as a value written out.
 */
function looksRandomValue(value: string): boolean {
  const text = base64Text(value);
  if (text === undefined) return looksRandom(value);
  return text.length >= 8 && shannonEntropy(text) >= MIN_ENTROPY && !isPlaceholder(text) && looksRandom(text);
}

/**
 * What a word after the credential word turns the name into: its id, URL, length, expiry, the name
 * of a field that holds it. `password_super_secure` and `apiToken2` stay credentials.
 */
const NOT_A_CREDENTIAL_SUFFIX =
  /^(?:ids?|url|uri|path|file|dir|name|type|length|len|count|size|field|header|label|placeholder|regex|pattern|endpoint|expires?|expiry|expiration|ttl|policy|prompt|message|msg|hint|format|min|max|env|var|hash|salt|version|enabled|required|rotation|provider|store|manager|service|input|param|query|cookie|timeout|validity|mode|kind|class|ref|reset|changed?|confirm(?:ation)?|strength|regexp?|error|valid|visible|sent|source|server|host|method|scheme|domain|realm|level|flow|state|status|user|username|email|tenant|region|role|scope|audience|issuer|fake|dummy|mock|invalid|wrong|example|sample)(?:_|$)/;

/**
 * `name` split around its credential word, the one that ends last (`_password`, not the `_pass` in
 * it): what comes before and after it. `word` is sticky, tried at every position.
 */
function around(name: string, word: RegExp): { before: string; after: string } | undefined {
  let best: [number, number] | undefined;
  for (let i = 0; i < name.length; i++) {
    word.lastIndex = i;
    const m = word.exec(name);
    if (m && (!best || i + m[0].length > best[1])) best = [i, i + m[0].length];
  }
  if (!best) return undefined;
  return { before: name.slice(0, best[0]), after: name.slice(best[1]) };
}

/** The suffix must begin a new word (`_2`, `-secure`, `String`), not continue this one (`tokenizer`). */
function suffixAllowed(word: string, suffix: string): boolean {
  if (suffix === "") return true;
  const first = suffix[0]!;
  const startsNewWord =
    /[_.\-0-9]/.test(first) || (/[A-Z]/.test(first) && /[a-z]/.test(word[word.length - 1] ?? ""));
  if (!startsNewWord) return false;
  const words = snakeWords(suffix).replace(/^_+/, "");
  return !NOT_A_CREDENTIAL_SUFFIX.test(words);
}

function assignmentVerify(context: MatchContext, word: RegExp): boolean {
  const { match, secret } = context;
  const name = /^[\w.-]*/.exec(match)![0];
  const parts = around(name, word);
  if (!parts || PUBLIC_NAME.test(parts.before) || namesStandIn(parts.before)) return false;
  const keyword = name.slice(parts.before.length, name.length - parts.after.length);
  if (!suffixAllowed(keyword, parts.after)) return false;
  const after = context.text[context.index + match.length];
  const delimiter = delimiterBefore(match, secret);
  if (delimiter.kind === "quote") {
    // The whole string literal is the value: `password: "correct horse"` is not a one-word secret.
    if (after !== delimiter.quote) return false;
  } else if (delimiter.kind === "element") {
    if (after !== "<" && after !== "\n" && after !== "\r") return false;
  } else if (!CONFIG_FILE.test(context.path) && !escapedLineEnd(context.text, context.index + match.length)) {
    return false;
  } else if (match[match.length - secret.length - 1] === ":") {
    // `key:value` with no space is no YAML mapping: a Maven coordinate, a URL, a `host:port`.
    return false;
  }
  return looksRandomValue(secret);
}

/** `…TOKEN=abc\nNEXT=…` inside a string: a config file written into JSON or code, one value a line. */
function escapedLineEnd(text: string, at: number): boolean {
  return text[at] === "\\" && (text[at + 1] === "n" || text[at + 1] === "r");
}

function randomPassword(rng: Rng): string {
  const symbols = { cls: "", chars: "!#*+-_@^" };
  let value = "";
  while (!looksRandom(value)) value = rng.chars(ALNUM, 14) + rng.chars(symbols, 2) + rng.chars(ALNUM, 4);
  return value;
}

/**
 * `<name ending in a credential word> = "<value>"`, in code (quoted) or config (quoted or not), with a
 * value that is random enough: entropy over the rule's threshold, mixed character classes, not a word.
 */
function assignment(id: string, title: string, words: string[], key: string): SecretRule {
  const alternatives = words.map(anyCase).join("|");
  // The credential word, then maybe more of the name (`_2`, `String`, `_super_secure`).
  const name = `(?<=(?<pre>[\\w.\\-]{0,40}))(?:${alternatives})[\\w.\\-]{0,24}?`;
  const word = new RegExp(`(?:${alternatives})`, "y");
  return {
    id,
    title,
    keywords: words.map((w) => w.toLowerCase()),
    regex: new RegExp(`${name}${ASSIGN}(?<s>[^\\s"'\`;,<\\\\]{8,200})`, "dy"),
    // Multiline for a value on the line after its XML element's tag; the assignment crosses no other line end.
    window: { before: 41, after: 300, multiline: true },
    anchored: true,
    minEntropy: MIN_ENTROPY,
    generic: true,
    verify: (context) => assignmentVerify(context, word),
    examples: (rng) => {
      const secret = randomPassword(rng);
      return [{ key, value: secret, secret }];
    },
    nearMisses: () => [
      { key, value: "changeme", secret: "changeme", clean: true },
      { key, value: `\${SECRET_FROM_ENV}`, secret: `\${SECRET_FROM_ENV}`, clean: true },
      { key, value: "aaaaaaaaaaaa", secret: "aaaaaaaaaaaa", clean: true },
      { key, value: "process.env.APP_SECRET", secret: "process.env.APP_SECRET", clean: true },
      { key, value: "hunter2hunter", secret: "hunter2hunter", clean: true },
    ],
  };
}

/** Generic credentials: a secret-sounding name assigned a random-looking value. Lowest priority. */
export const genericRules: SecretRule[] = [
  assignment(
    "generic-password",
    "Password assigned in code or config",
    ["password", "passwd", "passphrase", "pwd", "_pass", "-pass"],
    "db_password",
  ),
  assignment(
    "generic-secret",
    "Secret assigned in code or config",
    ["secret", "secret_key", "secretkey", "secret-key", "credential", "creds", "_auth", "-auth"],
    "client_secret",
  ),
  assignment(
    "generic-api-key",
    "API key assigned in code or config",
    ["api_key", "apikey", "api-key", "access_key", "accesskey", "access-key"],
    "service_api_key",
  ),
  assignment("generic-token", "Token assigned in code or config", ["token"], "auth_token"),
  assignment(
    "generic-private-key",
    "Private or signing key assigned in code or config",
    ["private_key", "privatekey", "private-key", "signing_key", "signingkey", "encryption_key", "master_key"],
    "signing_key",
  ),
];
