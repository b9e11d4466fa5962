import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A recall and false-alarm corpus built from examples written outside this project: the true and
 * false positives gitleaks keeps beside each of its rules (gitleaks.json, extracted by
 * extract-gitleaks.mjs; MIT, see NOTICE.md). Each example becomes one file, in the places real code
 * puts a credential: config files, source files of several languages, Makefiles, shell.
 */
export interface OutsideFile {
  path: string;
  content: string;
  /** The provider family (gitleaks rule id's first part, e.g. `github`), for per-family recall. */
  family: string;
  /** The gitleaks rule the example was written for. */
  rule: string;
  /**
   * For a false positive: it is a true positive of another gitleaks rule too (a Cloudflare API key
   * is a false positive of the Cloudflare global-key rule). Not a non-secret, only another format.
   */
  secretElsewhere?: boolean;
}

interface RuleExamples {
  rule: string;
  /** (identifier, secret) pairs gitleaks places with GenerateSampleSecrets; here, in CONTEXTS. */
  samples?: Array<[string, string]>;
  /** Lines or files written out as they are. */
  tps?: string[];
  fps?: string[];
  /** Path-only rules (a .p12 file): true and false paths. */
  files?: Array<[string, string]>;
  falseFiles?: Array<[string, string]>;
}

/** Where a key name and its value are written, one file each; `i`: identifier, `I`: upper case. */
type Context = (i: string, s: string) => [string, string];

const upper = (i: string) => i.toUpperCase().replace(/-/g, "_");
const camel = (i: string) => i.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export const CONTEXTS: Record<string, Context> = {
  "ini-quoted": (i, s) => ["settings.ini", `[service]\n${i}Token = "${s}"\ntimeout = 30\n`],
  "ini-unquoted": (i, s) => ["settings.ini", `[service]\n${i}Token=${s}\n`],
  properties: (i, s) => ["application.properties", `service.url=https://api.internal\n${i}.token=${s}\n`],
  env: (i, s) => [".env", `APP_ENV=production\n${upper(i)}_TOKEN=${s}\n`],
  "shell-export": (i, s) => ["deploy.sh", `#!/bin/sh\nexport ${upper(i)}_TOKEN="${s}"\n./run\n`],
  json: (i, s) => ["config.json", `{\n  "name": "svc",\n  "${i}_token": "${s}"\n}\n`],
  "json-escaped-file": (i, s) => [
    "bundle.json",
    `{"config.ini": "${upper(i)}_TOKEN=${s}\\nBACKUP_ENABLED=true"}\n`,
  ],
  "yaml-unquoted": (i, s) => ["values.yml", `service:\n  ${i}_token: ${s}\n`],
  "yaml-single": (i, s) => ["values.yaml", `${i}_token: '${s}'\n`],
  "yaml-double": (i, s) => ["values.yaml", `env:\n  - name: X\n    ${i}_token: "${s}"\n`],
  "xml-element": (i, s) => [
    "config.xml",
    `<config>\n  <${camel(i)}Token>${s}</${camel(i)}Token>\n</config>\n`,
  ],
  "xml-element-multiline": (i, s) => [
    "settings.xml",
    `<settings>\n  <${camel(i)}Token>\n    ${s}\n  </${camel(i)}Token>\n</settings>\n`,
  ],
  "xml-attribute": (i, s) => [
    "app.config",
    `<appSettings>\n  <add key="${camel(i)}Token" value="${s}" />\n</appSettings>\n`,
  ],
  csharp: (i, s) => ["Settings.cs", `class Settings {\n  string ${camel(i)}Token = "${s}";\n}\n`],
  "go-var": (i, s) => ["config.go", `package config\n\nvar ${camel(i)}Token string = "${s}"\n`],
  "go-short": (i, s) => [
    "main.go",
    `package main\n\nfunc main() {\n\t${camel(i)}Token := "${s}"\n\t_ = ${camel(i)}Token\n}\n`,
  ],
  "go-backticks": (i, s) => [
    "client.go",
    `package client\n\nfunc token() string {\n\t${camel(i)}Token := \`${s}\`\n\treturn ${camel(i)}Token\n}\n`,
  ],
  java: (i, s) => [
    "Config.java",
    `public class Config {\n  private static final String ${camel(i)}Token = "${s}";\n}\n`,
  ],
  "java-set-property": (i, s) => [
    "Main.java",
    `class Main {\n  void init() {\n    System.setProperty("${upper(i)}_TOKEN", "${s}");\n  }\n}\n`,
  ],
  kotlin: (i, s) => ["Config.kt", `var ${camel(i)}Token = "${s}"\n`],
  "kotlin-typed": (i, s) => ["Client.kt", `val ${camel(i)}Token: String = "${s}"\n`],
  "php-concat": (i, s) => ["config.php", `<?php\n$${camel(i)}Token .= "${s}";\n`],
  "php-array": (i, s) => ["settings.php", `<?php\nreturn [\n  '${i}_token' => '${s}',\n];\n`],
  "python-single": (i, s) => ["settings.py", `${camel(i)}Token = '${s}'\n`],
  "python-double": (i, s) => ["client.py", `import os\n\n${upper(i)}_TOKEN = "${s}"\n`],
  ruby: (i, s) => ["initializer.rb", `config.${i.replace(/-/g, "_")}_token = "${s}"\n`],
  logstash: (i, s) => ["pipeline.conf", `output {\n  http {\n    "${camel(i)}Token" => "${s}"\n  }\n}\n`],
  "make-recursive": (i, s) => ["Makefile", `${upper(i)}_TOKEN = "${s}"\n\nall:\n\t./build\n`],
  "make-simple": (i, s) => ["Makefile", `${upper(i)}_TOKEN := "${s}"\n`],
  "make-shell": (i, s) => ["Makefile", `${upper(i)}_TOKEN ::= "${s}"\n`],
  "make-conditional": (i, s) => ["rules.mk", `${upper(i)}_TOKEN ?= ${s}\n`],
  terraform: (i, s) => ["main.tf", `variable "${i}_token" {\n  default = "${s}"\n}\n`],
  dockerfile: (i, s) => ["Dockerfile", `FROM node:20\nENV ${upper(i)}_TOKEN=${s}\n`],
};

/** A file name for an example written as it is, from what it looks like. */
function extensionFor(text: string): string {
  const t = text.trimStart();
  if (/^[{[]/.test(t) && /"\s*:/.test(t)) return "data.json";
  if (t.startsWith("<")) return "config.xml";
  if (/^(?:\$ |curl |export |#!)/.test(t) || /\bcurl\b/.test(t)) return "script.sh";
  if (/^-----BEGIN/.test(t)) return "key.pem";
  if (/^(?:apiVersion|kind):/m.test(t)) return "manifest.yaml";
  if (/^\s*[\w.-]+\s*:=/.test(t) || /^(?:package|func|var) /m.test(t)) return "snippet.go";
  if (/^\s*["']?[\w.-]+["']?\s*:\s/.test(t)) return "config.yml";
  if (/^\s*[\w.-]+\s*=/.test(t)) return "settings.env";
  return "notes.txt";
}

const DER_STUB = "0\u0082\u0003\u0000\u0002\u0001\u00030\u0082";

const FAMILY_OF: Record<string, string> = {
  new: "newrelic",
  private: "private-key",
  defined: "definednetworking",
  microsoft: "microsoft-teams",
  hashicorp: "hashicorp",
  cisco: "cisco-meraki",
};

export function familyOf(rule: string): string {
  const first = rule.split("-")[0]!;
  if (rule.startsWith("jwt")) return "jwt";
  return FAMILY_OF[first] ?? first;
}

function dataFile(): string {
  // From bench/secrets-corpus (ts) or dist/bench/bench/secrets-corpus (compiled): walk up to the repo.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, "bench/secrets-corpus/gitleaks.json");
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, "gitleaks.json"))) return join(dir, "gitleaks.json");
    dir = dirname(dir);
  }
  throw new Error("bench/secrets-corpus/gitleaks.json not found");
}

export function loadExamples(): RuleExamples[] {
  return JSON.parse(readFileSync(dataFile(), "utf8")) as RuleExamples[];
}

/**
 * Files that must each be reported (`secrets`) and files with nothing to report (`clean`): every
 * sample in every context, every written-out true positive, every false positive.
 */
export function outsideCorpus(examples = loadExamples()): { secrets: OutsideFile[]; clean: OutsideFile[] } {
  const secrets: OutsideFile[] = [];
  const clean: OutsideFile[] = [];
  const positives = examples.flatMap((ex) => [
    ...(ex.tps ?? []).map((t) => t.trim()),
    ...(ex.samples ?? []).map(([, secret]) => secret),
  ]);
  const elsewhere = (fp: string) => positives.some((p) => p.length >= 8 && fp.includes(p));
  let n = 0;
  for (const ex of examples) {
    const family = familyOf(ex.rule);
    const add = (into: OutsideFile[], path: string, content: string) =>
      into.push({ path: `${ex.rule}/${n++}/${path}`, content, family, rule: ex.rule });
    for (const [identifier, secret] of ex.samples ?? []) {
      for (const context of Object.values(CONTEXTS)) {
        const [path, content] = context(identifier, secret);
        add(secrets, path, content);
      }
    }
    for (const tp of ex.tps ?? []) add(secrets, extensionFor(tp), `${tp}\n`);
    for (const fp of ex.fps ?? []) {
      add(clean, extensionFor(fp), `${fp}\n`);
      if (elsewhere(fp)) clean[clean.length - 1]!.secretElsewhere = true;
    }
    // Path-only examples (a .p12 bundle) get binary content, as the real files have: DER starts 0x30 0x82.
    for (const [path, content] of ex.files ?? []) add(secrets, path, content || DER_STUB);
    for (const [path, content] of ex.falseFiles ?? []) add(clean, path, content || "<html></html>\n");
  }
  return { secrets, clean };
}
