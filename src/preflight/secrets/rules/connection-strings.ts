import { ALNUM, ALNUM_LOWER, BASE64URL } from "../charsets.js";
import { shannonEntropy } from "../entropy.js";
import { spellsCredentialWord, typedByHand } from "../hand-typed.js";
import { isPlaceholder } from "../placeholder.js";
import type { Rng } from "../random.js";
import type { MatchContext, SecretRule } from "../rule.js";

/** Passwords that tutorials and local docker-compose files use; not a leak. */
const DEV_PASSWORDS = new Set([
  "password",
  "passwd",
  "pass",
  "pw",
  "pwd",
  "secret",
  "root",
  "admin",
  "postgres",
  "mysql",
  "redis",
  "mongo",
  "guest",
  "user",
  "username",
  "test",
  "dev",
  "local",
  // The metasyntactic words of a test's URL: `mysql://foo:bar@localhost/baz`.
  "foo",
  "bar",
  "baz",
  "qux",
  "foobar",
]);

/**
 * Hosts of a docs example, and the machine itself: a password for a database on localhost is a
 * development one unless it looks generated.
 */
const PLACEHOLDER_HOSTS =
  /^(?:host|hostname|server|your[-_]?host|db[-_]?host|example\.(?:com|org|net)|[^.]*\.example\.(?:com|org|net)|localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0)$/i;

function realCredentials(context: MatchContext): boolean {
  const match = /:\/\/(?<user>[^:/@]*):(?<pass>[^@]*)@(?<host>[^:/?#\s"'`]*)/.exec(context.match);
  const { user = "", pass = "", host = "" } = match?.groups ?? {};
  if (!realPassword(user, pass)) return false;
  // A URL in docs or a compose file carries a chosen word (`whalehello`, `T0pS3cr3t`,
  // `postgrespassword`); a real one a generated password, hex included (`deadbeef`). `curl -u`
  // keeps typed ones: people do type them.
  const word = /^[A-Za-z]+$/.test(pass) && /[g-z]/i.test(pass);
  if ((word || spellsCredentialWord(pass)) && !looksGenerated(pass)) return false;
  return !PLACEHOLDER_HOSTS.test(host) || looksGenerated(pass);
}

function realPassword(user: string, pass: string): boolean {
  if (standInWords(pass) || pass === user || isPlaceholder(pass) || typedByHand(pass)) return false;
  // Anonymous access by convention, and one- or two-letter stand-ins (`https://a:b@host`).
  if (/^(?:anonymous|guest)$/i.test(user) || pass.length < 3) return false;
  return !(/^[*x.]+$/i.test(pass) || pass.includes("{") || pass.startsWith("%") || pass.startsWith("$"));
}

/** Only DEV_PASSWORDS, once URL-decoded: `password`, `bar%25bar`, `foo-bar`. */
function standInWords(pass: string): boolean {
  let plain = pass;
  try {
    plain = decodeURIComponent(pass);
  } catch {
    // Not valid percent-encoding: judged as written.
  }
  const words = plain.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  return words.length > 0 && words.every((w) => DEV_PASSWORDS.has(w.toLowerCase()));
}

/** A password no one would write in a docs example: long, and as random as a generated one. */
function looksGenerated(pass: string): boolean {
  return pass.length >= 12 && shannonEntropy(pass) >= 3.5;
}

function urlExamples(scheme: string, port: number, path: string) {
  return (rng: Rng) => {
    const password = rng.chars(ALNUM, 20);
    const user = rng.pick(["app", "deploy", "svc_orders", ""]);
    const host = `${rng.chars(ALNUM_LOWER, 8)}.internal`;
    const value = `${scheme}://${user}:${password}@${host}:${port}${path}`;
    return [{ value, secret: password }];
  };
}

function urlNearMisses(scheme: string) {
  return () => [
    { value: `${scheme}://user:password@localhost/db`, secret: "password", clean: true },
    { value: `${scheme}://app:\${DB_PASSWORD}@db.internal/app`, secret: `\${DB_PASSWORD}`, clean: true },
    { value: `${scheme}://db.internal:5432/app`, secret: "db.internal", clean: true },
  ];
}

/** A URL with `user:password@`: the password is the secret. `schemes` is a regex alternation. */
function credentialUrl(
  id: string,
  title: string,
  schemes: string,
  keywords: string[],
  example: { scheme: string; port: number; path: string },
): SecretRule {
  return {
    id,
    title,
    keywords,
    regex: new RegExp(
      `(?<![A-Za-z0-9+.\\-])(?:${schemes})://[^\\s:/@"'\`<>]{0,64}:(?<s>[^\\s:/@"'\`<>]{1,128})@[A-Za-z0-9._\\-\\[\\]]+`,
      "gd",
    ),
    window: { before: 24, after: 300 },
    minEntropy: 0,
    generic: false,
    verify: realCredentials,
    examples: urlExamples(example.scheme, example.port, example.path),
    nearMisses: urlNearMisses(example.scheme),
  };
}

/**
 * `scheme://user:password@host` for any scheme (a package index, a git remote, an HTTP API), after
 * the database and broker schemes above had their say. Tried once at each `://`, anchored there,
 * since URLs are everywhere in vendored code and most have no credentials.
 */
const anyUrlWithPassword: SecretRule = {
  id: "url-credentials",
  title: "URL with a password",
  keywords: ["://"],
  regex:
    /(?<=(?<pre>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,15})):\/\/[^\s:/@"'`<>]{0,64}:(?<s>[^\s:/@"'`<>]{1,128})@[A-Za-z0-9._\-[\]]+/dy,
  anchored: true,
  window: { before: 17, after: 260 },
  minEntropy: 0,
  generic: true,
  // Any scheme: only a password long enough to be a real one (`https://me:tok@…` is a test's stand-in).
  verify: (context) => context.secret.length >= 6 && realCredentials(context),
  examples: urlExamples("https", 443, "/simple"),
  nearMisses: urlNearMisses("https"),
};

/** `user:password` in base64, with a password that is not a stand-in. */
function decodesToUserAndPassword(value: string): boolean {
  // `user:password`, not JSON (`{"alg":…}` is a JWT's header, its colons no separator).
  const decoded = /^(?<user>[\x20-\x21\x23-\x39\x3b-\x7a\x7c-\x7e]+):(?<pass>[\x20-\x7e]{3,})$/.exec(
    Buffer.from(value, "base64").toString("utf8"),
  );
  const pass = decoded?.groups?.pass;
  return pass !== undefined && !DEV_PASSWORDS.has(pass.toLowerCase()) && !isPlaceholder(pass);
}

const dockerConfigAuth: SecretRule = {
  id: "docker-config-auth",
  title: "Docker registry credentials (config.json auth)",
  keywords: ['"auth"'],
  regex: /"auth"\s*:\s*"(?<s>[A-Za-z0-9+/]{12,}={0,2})"/dg,
  window: { before: 2, after: 400 },
  minEntropy: 3,
  generic: false,
  verify: (context) => context.text.includes('"auths"') && decodesToUserAndPassword(context.secret),
  examples: (rng) => {
    const secret = Buffer.from(`deploy:${rng.chars(ALNUM, 24)}`).toString("base64");
    const value = JSON.stringify({ auths: { "ghcr.io": { auth: secret } } }, null, 2);
    return [{ value, secret }];
  },
  nearMisses: () => [{ value: '{ "auths": { "ghcr.io": { "auth": "" } } }', secret: "", clean: true }],
};

const netrcPassword: SecretRule = {
  id: "netrc-password",
  title: "Password in a .netrc entry",
  keywords: ["machine"],
  regex: /\bmachine\s+\S+\s+login\s+\S+\s+password\s+(?<s>[^\s#]{4,})/dg,
  window: { before: 2, after: 400, multiline: true },
  minEntropy: 2.5,
  generic: false,
  examples: (rng) => {
    const secret = rng.chars(ALNUM, 24);
    return [{ value: `machine api.internal.io\n  login deploy\n  password ${secret}\n`, secret }];
  },
  nearMisses: () => [
    { value: "machine api.internal.io login deploy password changeme\n", secret: "changeme", clean: true },
  ],
};

const bearerToken: SecretRule = {
  id: "authorization-bearer-token",
  title: "Bearer token in an Authorization header",
  keywords: ["bearer "],
  regex: /(?<![A-Za-z0-9])[Bb]earer\s+(?<s>[A-Za-z0-9_\-.=+/~]{20,500})/dg,
  window: { before: 2, after: 520 },
  minEntropy: 3.5,
  generic: true,
  verify: (context) => !isPlaceholder(context.secret) && /\d/.test(context.secret),
  examples: (rng) => {
    const secret = rng.chars(BASE64URL, 40);
    return [{ value: `Authorization: Bearer ${secret}`, secret }];
  },
  nearMisses: () => [
    { value: "Authorization: Bearer YOUR_ACCESS_TOKEN_HERE", secret: "YOUR_ACCESS_TOKEN_HERE", clean: true },
  ],
};

const basicAuthHeader: SecretRule = {
  id: "authorization-basic-credentials",
  title: "Basic credentials in an Authorization header",
  keywords: ["basic "],
  regex: /(?<![A-Za-z0-9])Basic\s+(?<s>[A-Za-z0-9+/]{12,}={0,2})(?![A-Za-z0-9+/=])/dg,
  window: { before: 2, after: 300 },
  minEntropy: 3,
  generic: true,
  verify: (context) => decodesToUserAndPassword(context.secret),
  examples: (rng) => {
    const secret = Buffer.from(`ops:${rng.chars(ALNUM, 20)}`).toString("base64");
    return [{ value: `Authorization: Basic ${secret}`, secret }];
  },
  nearMisses: () => {
    const tutorial = Buffer.from("user:password").toString("base64");
    return [{ value: `Authorization: Basic ${tutorial}`, secret: tutorial, clean: true }];
  },
};

/**
 * `curl -u user:password` (or `--user`), quoted or not, possibly on a continuation line of the
 * command. The password half must be there and not stand for something (`$PASS`, `<password>`).
 */
const curlUser: SecretRule = {
  id: "curl-basic-auth",
  title: "Credentials in a curl -u option",
  keywords: ["-u ", '-u"', "-u'", "--user ", "--user="],
  regex:
    /(?<![\w-])(?:-u|--user)(?:=|[ \t]{0,5})(?<s>"[^"\s]*:[^"]*"|'[^'\s]*:[^']*'|(?:"[^"\s]{3,}"|'[^'\s]{3,}'|[\w$@.%+!{}-]+)?:(?:"[^"]{3,}"|'[^']{3,}'|[^\s"'`]{3,})?)(?=[\s;|&)]|$)/dg,
  window: { before: 4, after: 200 },
  minEntropy: 0,
  generic: false,
  verify: (context) => {
    if (!/\bcurl\b/.test(commandBefore(context.text, context.index))) return false;
    const [user, pass] = userAndPassword(context.secret);
    // `-u TOKEN:` sends an API token as the user name, with no password.
    if (pass === "") return user.length >= 8 && shannonEntropy(user) >= 3 && !isPlaceholder(user);
    if (/^[<[$%]|[>\]]$/.test(pass) || /^\{\{/.test(pass)) return false;
    // `xxx:yyy`, `aaa:bbb`: one character repeated stands for a value.
    if (/^(.)\1*$/.test(user) && /^(.)\1*$/.test(pass)) return false;
    return realPassword(user, pass) && !/^(?:change(?:it|me)|pass(?:word)?|pwd|test|token)$/i.test(pass);
  },
  examples: (rng) => {
    const pass = rng.chars(ALNUM, 16);
    return [{ value: `curl -u deploy:${pass} https://ci.internal/api`, secret: `deploy:${pass}` }];
  },
  nearMisses: () => [
    {
      value: "curl -u admin:$ADMIN_PASSWORD https://ci.internal/api",
      secret: "admin:$ADMIN_PASSWORD",
      clean: true,
    },
    {
      value: 'curl -u "<user>:<password>" https://ci.internal/api',
      secret: "<user>:<password>",
      clean: true,
    },
  ],
};

/** `"user:pass"`, `user:'pass'`, `"{id}":"{secret}"`: the two halves without their quotes or braces. */
function userAndPassword(pair: string): [string, string] {
  const bare = pair.replace(/^(["'])(.*)\1$/, "$2");
  const colon = bare.search(/:(?=[^:]*$)|:(?=["'])/);
  const strip = (part: string) => part.replace(/^["']|["']$/g, "").replace(/^\{(.*)\}$/, "$1");
  return [strip(bare.slice(0, colon)), strip(bare.slice(colon + 1))];
}

/**
 * `curl -H "Authorization: …"` with a credential in it: a scheme (`Basic`, `Token`, `Api-Token`…)
 * or none, then the value, neither a variable nor a template.
 */
const curlAuthHeader: SecretRule = {
  id: "curl-auth-header",
  title: "Credential in a curl Authorization header",
  keywords: ["authorization:"],
  regex: /(["'])Authorization:[ \t]*(?:[A-Za-z][\w-]{0,20}[ \t]+)?(?<s>[^\s"'$<>{}]{8,})[ \t]*\1/dgi,
  window: { before: 2, after: 600 },
  minEntropy: 2.5,
  generic: false,
  verify: (context) => {
    const command = commandBefore(context.text, context.index);
    return /\bcurl\b/.test(command) && /(?:-H|--header)[ \t=]*$/.test(command);
  },
  examples: (rng) => {
    const secret = rng.chars(ALNUM, 32);
    return [{ value: `curl -H "Authorization: Token ${secret}" https://ci.internal/api`, secret }];
  },
  nearMisses: () => [
    {
      value: 'curl -H "Authorization: Bearer $API_TOKEN" https://ci.internal/api',
      secret: "$API_TOKEN",
      clean: true,
    },
  ],
};

/** The shell command `at` is part of: its line and the lines it continues with a trailing `\`. */
function commandBefore(text: string, at: number): string {
  let start = text.lastIndexOf("\n", at - 1);
  for (
    let lines = 0;
    lines < 5 && start > 0 && /\\\r?$/.test(text.slice(Math.max(0, start - 2), start));
    lines++
  )
    start = text.lastIndexOf("\n", start - 1);
  return text.slice(start + 1, at);
}

/**
 * NuGet keeps a feed's password in `nuget.config` as `<add key="ClearTextPassword" value="…" />`;
 * any value there but an environment reference (`%FEED_PASSWORD%`) or a documentation sample is one.
 */
const nugetConfigPassword: SecretRule = {
  id: "nuget-config-password",
  title: "Password in nuget.config",
  keywords: ['<add key="cleartextpassword"', '<add key="password"'],
  regex: /<add key="(?:ClearText)?Password"\s+value="(?<s>[^"]{8,})"\s*\/>/dgi,
  window: { before: 2, after: 300 },
  minEntropy: 1,
  generic: false,
  // `ClearTextPassword` is NuGet's own key; a plain `Password` counts in nuget.config only.
  verify: (context) =>
    (/^<add key="ClearTextPassword"/i.test(context.match) || /(?:^|\/)nuget\.config$/i.test(context.path)) &&
    !/^%\S.*%$/.test(context.secret) &&
    !isPlaceholder(context.secret),
  examples: (rng) => {
    const secret = rng.chars(ALNUM, 16);
    return [{ value: `<add key="ClearTextPassword" value="${secret}" />`, secret }];
  },
  nearMisses: () => [
    {
      value: '<add key="ClearTextPassword" value="%FEED_PASSWORD%" />',
      secret: "%FEED_PASSWORD%",
      clean: true,
    },
  ],
};

/** Connection strings and headers that carry a password or token. */
export const connectionStringRules: SecretRule[] = [
  credentialUrl(
    "postgres-url-password",
    "PostgreSQL URL with password",
    "postgres(?:ql)?(?:\\+[a-z0-9]+)?",
    ["postgres"],
    {
      scheme: "postgres",
      port: 5432,
      path: "/app",
    },
  ),
  credentialUrl(
    "mysql-url-password",
    "MySQL / MariaDB URL with password",
    "(?:mysql|mariadb)(?:\\+[a-z0-9]+)?",
    ["mysql", "mariadb"],
    {
      scheme: "mysql",
      port: 3306,
      path: "/app",
    },
  ),
  credentialUrl("mongodb-url-password", "MongoDB URL with password", "mongodb(?:\\+srv)?", ["mongodb"], {
    scheme: "mongodb+srv",
    port: 27017,
    path: "/app?retryWrites=true",
  }),
  credentialUrl("redis-url-password", "Redis URL with password", "rediss?", ["redis://", "rediss://"], {
    scheme: "redis",
    port: 6379,
    path: "/0",
  }),
  credentialUrl("amqp-url-password", "AMQP (RabbitMQ) URL with password", "amqps?", ["amqp://", "amqps://"], {
    scheme: "amqps",
    port: 5671,
    path: "/vhost",
  }),
  credentialUrl(
    "mssql-url-password",
    "SQL Server URL with password",
    "mssql|sqlserver",
    ["mssql://", "sqlserver://"],
    {
      scheme: "mssql",
      port: 1433,
      path: "/app",
    },
  ),
  credentialUrl("clickhouse-url-password", "ClickHouse URL with password", "clickhouse", ["clickhouse://"], {
    scheme: "clickhouse",
    port: 9000,
    path: "/default",
  }),
  credentialUrl("smtp-url-password", "SMTP URL with password", "smtps?", ["smtp://", "smtps://"], {
    scheme: "smtps",
    port: 465,
    path: "",
  }),
  credentialUrl(
    "ftp-url-password",
    "FTP / SFTP URL with password",
    "s?ftps?",
    ["ftp://", "sftp://", "ftps://"],
    {
      scheme: "sftp",
      port: 22,
      path: "/upload",
    },
  ),
  credentialUrl("ldap-url-password", "LDAP URL with password", "ldaps?", ["ldap://", "ldaps://"], {
    scheme: "ldaps",
    port: 636,
    path: "",
  }),
  anyUrlWithPassword,
  curlUser,
  curlAuthHeader,
  nugetConfigPassword,
  dockerConfigAuth,
  netrcPassword,
  bearerToken,
  basicAuthHeader,
];
