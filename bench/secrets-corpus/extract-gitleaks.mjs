/**
 * node bench/secrets-corpus/extract-gitleaks.mjs GITLEAKS_CHECKOUT > bench/secrets-corpus/gitleaks.json
 *
 * Reads the true- and false-positive examples that gitleaks (MIT, see NOTICE.md) writes beside each
 * rule in cmd/generate/config/rules/*.go, and writes them as data. The Go test-value code is turned
 * into JavaScript by a few rewrites and run; values gitleaks draws from a regex at test time
 * (`secrets.NewSecret(re)`) are drawn here by the same regex, with a seeded generator, once. Calls to
 * `utils.GenerateSampleSecrets(identifier, secret)` stay an (identifier, secret) pair: the corpus
 * places those in contexts of its own. Rules whose test code this cannot run are listed on stderr.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2];
const dir = join(root, "cmd/generate/config/rules");

// ---- a seeded generator of strings matching a (Go RE2 subset) regex ----
let seed = 20240611;
function rand() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

function parseRegex(src) {
  let i = 0;
  const peek = () => src[i];
  function alternation() {
    const alts = [sequence()];
    while (peek() === "|") {
      i++;
      alts.push(sequence());
    }
    return { alt: alts };
  }
  function sequence() {
    const items = [];
    while (i < src.length && peek() !== "|" && peek() !== ")") {
      let atom = atomOf();
      if (atom === null) continue;
      atom = quantified(atom);
      items.push(atom);
    }
    return { seq: items };
  }
  function quantified(atom) {
    const c = peek();
    let min;
    let max;
    if (c === "?") [min, max] = [0, 1];
    else if (c === "*") [min, max] = [0, 8];
    else if (c === "+") [min, max] = [1, 8];
    else if (c === "{" && /^\{\d+(,\d*)?\}/.test(src.slice(i))) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      min = Number(m[1]);
      max = m[2] ? (m[3] ? Number(m[3]) : min + 10) : min;
      i += m[0].length - 1;
    } else return atom;
    i++;
    if (peek() === "?") i++;
    return { rep: atom, min, max };
  }
  function escapeSequence() {
    const c = src[i++];
    const classes = {
      d: "0123456789",
      w: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
      s: " ",
    };
    if (classes[c]) return { set: classes[c] };
    if (c === "b" || c === "B" || c === "A" || c === "z") return null;
    if (c === "n") return { lit: "\n" };
    if (c === "r") return { lit: "\r" };
    if (c === "t") return { lit: "\t" };
    if (c === "x") {
      const hex = src.slice(i, i + 2);
      i += 2;
      return { lit: String.fromCharCode(Number.parseInt(hex, 16)) };
    }
    return { lit: c };
  }
  function charClass() {
    let negate = false;
    if (peek() === "^") {
      negate = true;
      i++;
    }
    let chars = "";
    let first = true;
    while (i < src.length && (peek() !== "]" || first)) {
      first = false;
      let c = src[i++];
      if (c === "[" && peek() === ":") {
        const end = src.indexOf(":]", i);
        const name = src.slice(i + 1, end);
        i = end + 2;
        chars += { alnum: "abcXYZ0189", alpha: "abcXYZ", digit: "0123456789", space: " " }[name] ?? "a";
        continue;
      }
      let escaped = false;
      if (c === "\\") {
        const e = escapeSequence();
        if (e?.set) {
          chars += e.set;
          continue;
        }
        c = e?.lit ?? "";
        escaped = true;
      }
      // `[\\-_]` is read as a backslash, a dash and an underscore: the test values gitleaks validates
      // against its own rules never hold the `]` or `^` a range from `\\` to `_` would give.
      if (!escaped && peek() === "-" && src[i + 1] !== "]" && src[i + 1] !== undefined) {
        i++;
        let to = src[i++];
        if (to === "\\") to = escapeSequence().lit;
        for (let k = c.charCodeAt(0); k <= to.charCodeAt(0); k++) chars += String.fromCharCode(k);
      } else chars += c;
    }
    i++;
    // No credential's alphabet has a backslash; `[…\\-_]` in a generator's regex means the dash.
    chars = chars.replace(/\\/g, "");
    if (negate) {
      let all = "";
      for (let k = 33; k < 127; k++)
        if (!chars.includes(String.fromCharCode(k))) all += String.fromCharCode(k);
      chars = all.replace(/["'`\\<>]/g, "");
    }
    return { set: chars };
  }
  function atomOf() {
    const c = src[i++];
    if (c === "(") {
      if (peek() === "?") {
        i++;
        if (peek() === "P" || peek() === "<") {
          i = src.indexOf(">", i) + 1;
        } else {
          // (?i) (?-i:...) (?:...)
          const m = /^[-a-zA-Z]*[:)]/.exec(src.slice(i));
          i += m[0].length;
          if (m[0].endsWith(")")) return null;
        }
      }
      const inner = alternation();
      i++; // ')'
      return inner;
    }
    if (c === "[") return charClass();
    if (c === "\\") return escapeSequence();
    if (c === "^" || c === "$") return null;
    if (c === ".") return { set: "abcdefghijklmnopqrstuvwxyz0123456789" };
    return { lit: c };
  }
  return alternation();
}

function generate(node) {
  if (node === null) return "";
  if ("lit" in node) return node.lit;
  if ("set" in node) return node.set[int(0, node.set.length - 1)];
  if ("seq" in node) return node.seq.map(generate).join("");
  if ("alt" in node) return generate(node.alt[int(0, node.alt.length - 1)]);
  if ("rep" in node) {
    let out = "";
    const n = int(node.min, node.max);
    for (let k = 0; k < n; k++) out += generate(node.rep);
    return out;
  }
  throw new Error(`bad node ${JSON.stringify(node)}`);
}

export const newSecret = (re) => generate(parseRegex(re));

// ---- the Go test code, rewritten as JavaScript ----

const helpers = {
  Numeric: (n) => `[0-9]{${n}}`,
  Hex: (n) => `[a-f0-9]{${n}}`,
  AlphaNumeric: (n) => `[a-z0-9]{${n}}`,
  AlphaNumericExtendedShort: (n) => `[a-z0-9_-]{${n}}`,
  AlphaNumericExtended: (n) => `[a-z0-9=_\\-]{${n}}`,
  AlphaNumericExtendedLong: (n) => `[a-z0-9\\/=_\\+\\-]{${n}}`,
  Hex8_4_4_4_12: () => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
  GenerateSampleSecrets: (identifier, secret) => [{ identifier, secret }],
  GenerateSampleSecret: (identifier, secret) => `${identifier}_api_token = "${secret}"`,
  NewSecret: newSecret,
  Sprintf: (format, ...args) => {
    let k = 0;
    return format.replace(/%[-+# 0-9.]*([svdq%])/g, (_, verb) =>
      verb === "%" ? "%" : verb === "q" ? JSON.stringify(String(args[k++])) : String(args[k++]),
    );
  },
  Repeat: (s, n) => s.repeat(n),
  GenerateUniqueTokenRegex: (re) => re,
  GenerateSemiGenericRegex: (_ids, re) => re,
  MustCompile: (re) => re,
  ToUpper: (s) => s.toUpperCase(),
  ToLower: (s) => s.toLowerCase(),
  append: (list, ...items) => [...list, ...items],
  newPlausibleSecret: (re) => {
    for (;;) {
      const secret = newSecret(re);
      if (/[1-9]/.test(secret)) return secret;
    }
  },
  b64: {
    StdEncoding: { EncodeToString: (b) => Buffer.from(b).toString("base64") },
    RawStdEncoding: { EncodeToString: (b) => Buffer.from(b).toString("base64").replace(/=+$/, "") },
    URLEncoding: {
      EncodeToString: (b) =>
        Buffer.from(b)
          .toString("base64url")
          .padEnd(Math.ceil(Buffer.from(b).toString("base64url").length / 4) * 4, "="),
    },
    RawURLEncoding: { EncodeToString: (b) => Buffer.from(b).toString("base64url") },
  },
};
helpers.base64 = helpers.b64;

/** Go string literals → JSON strings, so later rewrites cannot touch their content. */
function protectStrings(code) {
  const strings = [];
  const out = code.replace(/\/\/[^\n]*|`[^`]*`|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)'/g, (lit) => {
    if (lit.startsWith("//")) return "";
    let value;
    if (lit.startsWith("`")) value = lit.slice(1, -1);
    else if (lit.startsWith("'")) value = JSON.parse(`"${lit.slice(1, -1).replace(/"/g, '\\"')}"`);
    else value = JSON.parse(lit.replace(/\\x([0-9a-fA-F]{2})/g, "\\u00$1"));
    strings.push(value);
    return `__S${strings.length - 1}__`;
  });
  return { out, strings };
}

function balanced(code, open) {
  let depth = 0;
  for (let k = open; k < code.length; k++) {
    if (code[k] === "{") depth++;
    else if (code[k] === "}" && --depth === 0) return k;
  }
  return -1;
}

let strings = [];

function toJs(body) {
  let code = body;
  // The rule's own definition is not test data.
  for (;;) {
    const m = /\b\w+\s*:?=\s*(?:&)?config\.\w+\{/.exec(code);
    if (!m) break;
    const end = balanced(code, m.index + m[0].length - 1);
    code = code.slice(0, m.index) + code.slice(end + 1);
  }
  code = code
    .replace(/\bvar \(([\s\S]*?)\n\s*\)/g, (_, lines) =>
      lines.replace(/(^|\n)(\s*)(\w+)\s*=/g, "$1$2let $3 ="),
    )
    .replace(/^\s*r\.[^\n]*$/gm, "")
    .replace(/return\s+utils\.Validate(WithPaths)?\([^\n]*/g, "")
    .replace(/return\s+&?r\b[^\n]*/g, "")
    .replace(/\[\]byte\(/g, "(")
    .replace(/map\[string\]\[\]string\{/g, "{")
    .replace(/map\[string\]string\{/g, "{")
    .replace(/\[\]string\{/g, "[")
    .replace(/\.\.\.\s*\)/g, ")")
    .replace(/\b(?:utils|secrets|fmt|strings|config)\.(\w+)\(/g, "$1(")
    .replace(/\bvar\s+(\w+)\s+\[\]string/g, "let $1 = []")
    .replace(/\bvar\s+(\w+)\s*=/g, "let $1 =")
    .replace(/(^|\n)(\s*)(\w+)\s*:=/g, "$1$2let $3 =")
    .replace(/(^|\n)(\s*)(\w+)\s*,\s*(\w+)\s*:=/g, "$1$2let [$3, $4] =");
  // map[string][]string values: `"key": { … }` is a list.
  code = code.replace(/(__S\d+__\s*:\s*)\{/g, "$1[");
  // `[ … }` from []string{ … }: close the arrays the rewrite opened.
  code = closeArrays(code);
  code = code.replace(/__S(\d+)__/g, (_, n) => JSON.stringify(strings[Number(n)]));
  return code;
}

/** Turns the `}` that closes a `[` opened by `[]string{` into `]`. */
function closeArrays(code) {
  const stack = [];
  let out = "";
  for (const ch of code) {
    if (ch === "[" || ch === "{" || ch === "(") stack.push(ch);
    if (ch === "}" || ch === "]" || ch === ")") {
      const open = stack.pop();
      if (ch === "}" && open === "[") {
        out += "]";
        continue;
      }
    }
    out += ch;
  }
  return out;
}

function run(js) {
  const names = Object.keys(helpers);
  const result = '{ tps: typeof tps === "undefined" ? [] : tps, fps: typeof fps === "undefined" ? [] : fps }';
  const f = new Function(...names, `${shared}\n{\n${js}\nreturn ${result};\n}`);
  return f(...names.map((n) => helpers[n]));
}

const rules = [];
const failures = [];
const protectedSource = protectStrings(
  readdirSync(dir)
    .filter((f) => f.endsWith(".go"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n"),
);
const source = protectedSource.out;
strings = protectedSource.strings;
// Helper functions at file level (e.g. generateTestValues) become JavaScript functions too.
const funcs = [...source.matchAll(/\nfunc (\w+)\(([^)]*)\)\s*([^{\n]*)\{/g)];
const helperJs = [];
const ruleFuncs = [];
for (const m of funcs) {
  const open = m.index + m[0].length - 1;
  const close = balanced(source, open);
  const body = source.slice(open + 1, close);
  const id = /RuleID:\s*__S(\d+)__/.exec(body)?.[1];
  if (id) ruleFuncs.push({ name: m[1], id: strings[Number(id)], body });
  else if (m[1] === "generateTestValues") {
    const params = m[2]
      .split(",")
      .map((p) => p.trim().split(/\s+/)[0])
      .filter(Boolean);
    helperJs.push(
      `function ${m[1]}(${params.join(", ")}) {${toJs(body)
        .replace(
          /for\s+(\w+),\s*(\w+)\s*:=\s*range\s+(\w+)\s*\{/g,
          "for (const [$1, $2] of Object.entries($3)) {",
        )
        .replace(/for\s+_,\s*(\w+)\s*:=\s*range\s+(\w+)\s*\{/g, "for (const $1 of $2) {")}}`,
    );
  }
}
// Package-level variables (lists of examples shared by rules).
for (const m of source.matchAll(/\nvar (\w+) = (?=\[\]string\{|__S)/g)) {
  const open = source.indexOf("{", m.index);
  const lineEnd = source.indexOf("\n", m.index + 1);
  const end = open >= 0 && open < lineEnd ? balanced(source, open) + 1 : lineEnd;
  helperJs.push(toJs(source.slice(m.index, end)));
}
const shared = helperJs.join("\n");

for (const { id, body } of ruleFuncs) {
  try {
    const js = toJs(body)
      .replace(
        /for\s+(\w+),\s*(\w+)\s*:=\s*range\s+(\w+)\s*\{/g,
        "for (const [$1, $2] of Object.entries($3)) {",
      )
      .replace(/for\s+_,\s*(\w+)\s*:=\s*range\s+(\w+)\s*\{/g, "for (const $1 of $2) {");

    const { tps, fps } = run(js);
    if (!Array.isArray(tps)) {
      // ValidateWithPaths: file path → content.
      rules.push({ rule: id, files: Object.entries(tps), falseFiles: Object.entries(fps) });
      continue;
    }
    const flatTps = tps.flat(Infinity);
    if (!Array.isArray(tps) || flatTps.length === 0) throw new Error("no true positives");
    rules.push({
      rule: id,
      samples: flatTps
        .filter((t) => typeof t === "object")
        .map(({ identifier, secret }) => [identifier, secret]),
      tps: flatTps.filter((t) => typeof t === "string"),
      fps: Array.isArray(fps) ? fps.flat(Infinity).filter((t) => typeof t === "string") : Object.keys(fps),
    });
  } catch (error) {
    failures.push(`${id}: ${error.message}`);
  }
}
process.stderr.write(`${rules.length} rules extracted; failed: ${failures.length}\n${failures.join("\n")}\n`);
process.stdout.write(`${JSON.stringify(rules, null, 1)}\n`);
