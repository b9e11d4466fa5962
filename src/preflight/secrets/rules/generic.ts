import { ASSIGN, delimiterBefore } from "../assignment.js";
import { ALNUM } from "../charsets.js";
import type { Rng } from "../random.js";
import { anyCase, type MatchContext, type SecretRule } from "../rule.js";

/**
 * Files where `password: hunter2hunter2` without quotes is a value, not code: config, Makefiles and
 * shell (where `TOKEN=abc` assigns the text `abc`).
 */
const CONFIG_FILE =
  /(?:^|\/)(?:\.env(?:\.[\w.-]+)?|[^/]*\.(?:ya?ml|ini|cfg|conf|config|properties|toml|env|tfvars|netrc|npmrc|pypirc|mk|sh|bash|zsh)|Dockerfile|docker-compose[^/]*|[Mm]akefile|GNUmakefile)$/i;

/** Text standing for a value rather than being one: `${VAR}`, `$(cmd)`, `%(name)s`, `%VAR%`, `{{ x }}`. */
const TEMPLATE = /^\$|\$\{|\$\(|%\(|%[sd]$|%[A-Z_]+%|\{\{|#\{/;

/** Names of values meant to be seen: a public key, a CSRF token, a page cursor. */
const PUBLIC_NAME = /(?:public|publishable|csrf|xsrf|page|cursor|continuation)[_.-]?(?:api[_.-]?)?$/i;

/** Words that, at the end of a key's name, make its value a credential. */
const NAME_WORDS_IN_VALUE = /password|passwd|secret|token|api[_-]?key|private[_-]?key/i;

/** Code, paths, URLs and words rather than a random value. */
function looksRandom(value: string): boolean {
  if (NAME_WORDS_IN_VALUE.test(value)) return false;
  if (/^[./~]|:\/\/|[(){}[\]<>\\]/.test(value) || TEMPLATE.test(value)) return false;
  // snake_case, kebab-case, dotted or camelCase words without digits: identifiers, not secrets.
  if (/^[A-Za-z]+(?:[._-][A-Za-z]+)*$/.test(value)) return false;
  // Random tokens and real passwords almost always have a digit; identifiers and sentinels rarely do.
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  return classes >= 2 && /\d/.test(value);
}

function assignmentVerify(context: MatchContext): boolean {
  const { match, secret } = context;
  const name = /^[\w.-]*/.exec(match)![0];
  if (PUBLIC_NAME.test(name.slice(0, name.length - keywordAtEnd(name)))) return false;
  const after = context.text[context.index + match.length];
  const delimiter = delimiterBefore(match, secret);
  if (delimiter.kind === "quote") {
    // The whole string literal is the value: `password: "correct horse"` is not a one-word secret.
    if (after !== delimiter.quote) return false;
  } else if (delimiter.kind === "element") {
    if (after !== "<" && after !== "\n" && after !== "\r") return false;
  } else if (!CONFIG_FILE.test(context.path) && !escapedLineEnd(context.text, context.index + match.length)) {
    return false;
  }
  return looksRandom(secret);
}

/** How many characters at the end of `name` are the credential word (`Token` in `publicToken`). */
function keywordAtEnd(name: string): number {
  return (
    /(?:password|passwd|passphrase|pwd|pass|secret[_-]?key|secret|api[_-]?key|access[_-]?key|token|private[_-]?key|signing[_-]?key|encryption[_-]?key|master[_-]?key)$/i.exec(
      name,
    )?.[0].length ?? 0
  );
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
  const name = `(?<=(?<pre>[\\w.\\-]{0,40}))(?:${words.map(anyCase).join("|")})`;
  return {
    id,
    title,
    keywords: words.map((w) => w.toLowerCase()),
    regex: new RegExp(`${name}${ASSIGN}(?<s>[^\\s"'\`;,<\\\\]{8,200})`, "dy"),
    // Multiline for a value on the line after its XML element's tag; the assignment crosses no other line end.
    window: { before: 41, after: 300, multiline: true },
    anchored: true,
    minEntropy: 3,
    generic: true,
    verify: assignmentVerify,
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
    ["secret", "secret_key", "secretkey", "secret-key"],
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
