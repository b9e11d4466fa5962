import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ALNUM, BASE64, DIGITS, HEX } from "./charsets.js";
import { Rng } from "./random.js";
import type { Example, SecretRule } from "./rule.js";
import { SECRET_RULES } from "./rules/index.js";

/**
 * Generated corpora for recall and precision. Every fake secret is built here at run time from the
 * rules' formats, so none is ever committed. `rule`/`secret` say what a file must be reported for.
 */
export interface CorpusFile {
  path: string;
  content: string;
  rule?: string;
  secret?: string;
}

type Place = (value: string, n: number) => [string, string];
type KeyedPlace = (key: string, value: string, n: number) => [string, string];

/** Where a self-identifying value (a token, a URL) ends up: config, code, docs, comments. */
const TOKEN_PLACES: Place[] = [
  (v, n) => [`env/${n}.env`, `UPSTREAM_VALUE=${v}\n`],
  (v, n) => [`src/client-${n}.ts`, `export const upstream = "${v}";\n`],
  (v, n) => [`app/settings_${n}.py`, `UPSTREAM = '${v}'\n`],
  (v, n) => [`deploy/values-${n}.yaml`, `service:\n  upstream: "${v}"\n`],
  (v, n) => [`data/fixture-${n}.json`, `${JSON.stringify({ upstream: v }, null, 2)}\n`],
  (v, n) => [`docs/setup-${n}.md`, `Start the client with \`${v}\` as its credential.\n`],
  (v, n) => [`scripts/call-${n}.sh`, `curl -s -H "X-Upstream: ${v}" https://api.internal/\n`],
  (v, n) => [`src/legacy-${n}.js`, `function f() {\n  // previous value: ${v}\n}\n`],
];

/** Where a value that needs its key's name ends up. */
const KEYED_PLACES: KeyedPlace[] = [
  (k, v, n) => [`env/${n}.env`, `${k.toUpperCase()}=${v}\n`],
  (k, v, n) => [`src/config-${n}.ts`, `export const ${camel(k)} = "${v}";\n`],
  (k, v, n) => [`app/settings_${n}.py`, `${k.toUpperCase()} = "${v}"\n`],
  (k, v, n) => [`config/app-${n}.yaml`, `${k}: ${v}\n`],
  (k, v, n) => [`config/app-${n}.json`, `${JSON.stringify({ [k]: v }, null, 2)}\n`],
  (k, v, n) => [`infra/main-${n}.tfvars`, `${k} = "${v}"\n`],
  (k, v, n) => [`config/app-${n}.toml`, `${k} = '${v}'\n`],
];

/** Multi-line values (PEM blocks, key files): as a file of their own, and inside a template literal. */
const BLOCK_PLACES: Place[] = [
  (v, n) => [`keys/${n}${blockExtension(v)}`, `${v}\n`],
  (v, n) => [`src/key-${n}.ts`, `export const key = \`${v}\`;\n`],
];

function blockExtension(value: string): string {
  if (value.startsWith("{")) return "/config.json";
  if (value.startsWith("-----BEGIN")) return ".pem";
  if (value.startsWith("machine")) return ".netrc";
  if (value.startsWith("apiVersion:")) return "/secret.yaml";
  return ".ppk";
}

function camel(key: string): string {
  return key.toLowerCase().replace(/[_-]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function placements(example: Example, n: number): Array<[string, string]> {
  if (example.key !== undefined) return KEYED_PLACES.map((place) => place(example.key!, example.value, n));
  if (example.value.includes("\n")) {
    const places = BLOCK_PLACES.map((place) => place(example.value, n));
    // A PEM block also travels inside JSON with its newlines escaped.
    if (example.value.startsWith("-----BEGIN"))
      places.push([`data/key-${n}.json`, `${JSON.stringify({ key: example.value })}\n`]);
    return places;
  }
  return TOKEN_PLACES.map((place) => place(example.value, n));
}

/** One file per rule, format variant and place: each must be reported. */
export function secretCorpus(rules: readonly SecretRule[] = SECRET_RULES, seed = 7): CorpusFile[] {
  const rng = new Rng(seed);
  const files: CorpusFile[] = [];
  for (const rule of rules) {
    for (const example of rule.examples(rng)) {
      for (const [path, content] of placements(example, files.length)) {
        files.push({ path: `${rule.id}/${path}`, content, rule: rule.id, secret: example.secret });
      }
    }
  }
  return files;
}

/**
 * Files with nothing to report: every rule's clean near misses in the same places, and the things real
 * repositories are full of (placeholders, env lookups, hashes, UUIDs, lockfile integrity, i18n strings).
 */
export function cleanCorpus(rules: readonly SecretRule[] = SECRET_RULES, seed = 11): CorpusFile[] {
  const rng = new Rng(seed);
  const files: CorpusFile[] = [];
  for (const rule of rules) {
    for (const miss of rule.nearMisses(rng).filter((m) => m.clean)) {
      for (const [path, content] of placements(miss, files.length))
        files.push({ path: `near/${rule.id}/${path}`, content });
    }
  }
  for (let n = 0; n < 40; n++) {
    for (const [path, content] of everydayFiles(rng, n))
      files.push({ path: `everyday/${n}/${path}`, content });
  }
  return files;
}

function uuid(rng: Rng): string {
  return [8, 4, 4, 4, 12].map((len) => rng.chars(HEX, len)).join("-");
}

function everydayFiles(rng: Rng, n: number): Array<[string, string]> {
  const sha = rng.chars(HEX, 40);
  return [
    [
      "README.md",
      [
        "## Configuration",
        "",
        "```sh",
        "export STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
        "export GITHUB_TOKEN=<your-token>",
        `export API_KEY=\${API_KEY}`,
        "export DATABASE_URL=postgres://user:password@localhost:5432/app",
        "```",
        "",
        `Fixed in ${sha.slice(0, 12)} (see commit ${sha}).`,
        "",
      ].join("\n"),
    ],
    [
      "src/auth.ts",
      [
        "const token = process.env.GITHUB_TOKEN;",
        "export interface Login { user: string; password: string }",
        "export function valid(password: string): boolean {",
        "  return password.length >= 12;",
        "}",
        `export const requestId = "${uuid(rng)}";`,
        "const apiKey = config.get('apiKey');",
        "headers.Authorization = `Bearer $" + "{token}`;",
        "",
      ].join("\n"),
    ],
    [
      "app/settings.py",
      [
        'SECRET_KEY = os.environ["SECRET_KEY"]',
        'DATABASES = {"default": {"PASSWORD": os.getenv("DB_PASSWORD", "")}}',
        `CACHE_VERSION = "${rng.chars(HEX, 32)}"`,
        "",
      ].join("\n"),
    ],
    [
      ".github/workflows/ci.yml",
      [
        "env:",
        `  DB_PASSWORD: \${{ secrets.DB_PASSWORD }}`,
        `  NPM_TOKEN: \${{ secrets.NPM_TOKEN }}`,
        "",
      ].join("\n"),
    ],
    [
      "package-lock.json",
      `${JSON.stringify(
        {
          packages: {
            [`node_modules/pkg-${n}`]: {
              version: `1.${n}.0`,
              resolved: `https://registry.npmjs.org/pkg-${n}/-/pkg-${n}-1.${n}.0.tgz`,
              integrity: `sha512-${rng.chars(BASE64, 86)}==`,
            },
          },
        },
        null,
        2,
      )}\n`,
    ],
    [
      "locales/en.json",
      `${JSON.stringify({ password: "Password", token_expired: "Your session token has expired", secret: "Secret" }, null, 2)}\n`,
    ],
    [
      "checksums.txt",
      `${rng.chars(HEX, 64)}  skiff-linux-x64.tar.gz\n${rng.chars(HEX, 64)}  skiff-darwin-arm64.tar.gz\n`,
    ],
    [
      ".env.example",
      [
        `DATABASE_URL=postgres://app:\${DB_PASSWORD}@db:5432/app`,
        "API_KEY=",
        "SESSION_SECRET=changeme",
        "",
      ].join("\n"),
    ],
    [
      "src/ids.js",
      [
        `export const build = { sha: "${sha}", etag: "${rng.chars(HEX, 32)}" };`,
        `export const order = ${rng.chars(DIGITS, 12)};`,
        `export const slug = "${rng.chars(ALNUM, 10)}";`,
        "",
      ].join("\n"),
    ],
  ];
}

/** Writes corpus files under `dir`. */
export function writeCorpus(dir: string, files: readonly CorpusFile[]): void {
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
}
