/**
 * npm run bench:preflight [-- --dir DIR] [--runs N] [--secretlint-sample N | --secretlint-all]
 *
 * 1. A real tree: a copy of DIR (default: this project's node_modules: vendored code, minified
 *    bundles, lockfiles, large JSON) in a temporary git repository, scanned end to end by the CLI
 *    (`skiff preflight --only secrets` and `--only secrets,debug`, process start to exit) against
 *    `rg -uuu -i -F -c` with the same keywords.
 * 2. The same tree's files handed straight to the scanner (no git, no CLI), with secretlint
 *    (recommended preset) and ripgrep for comparison; trees under 50,000 files also as a 50,000+ file
 *    tree made of hard-linked copies.
 * 3. Recall per provider family and false alarms on the outside corpus (bench/secrets-corpus:
 *    gitleaks' examples in real contexts).
 * 4. Recall on the corpus generated from skiff's own rules, findings on its clean corpus.
 * Each tool runs in its own process, timed from outside, on a warm page cache.
 */
import { spawn, spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEBUG_RULES } from "../src/preflight/debug-rules.js";
import { MAX_FILE_BYTES } from "../src/preflight/file-reader.js";
import { scanFiles } from "../src/preflight/scan-pool.js";
import { type CorpusFile, cleanCorpus, secretCorpus, writeCorpus } from "../src/preflight/secrets/corpus.js";
import { SECRET_RULES } from "../src/preflight/secrets/rules/index.js";
import { outsideCorpus } from "./secrets-corpus/outside-corpus.js";
import { falseAlarmReport, recallByFamily, recallReport } from "./secrets-corpus/score.js";

const TARGET_FILES = 50_000;
const SELF = fileURLToPath(import.meta.url);
const SETTINGS = {
  debug: false,
  secrets: true,
  conflicts: false,
  todo: "warn" as const,
  allowConsole: [],
  patterns: [],
};

interface Measured {
  ms: number;
  /** User + system CPU seconds of the process and its threads (from /usr/bin/time), if available. */
  cpu?: number;
  files: number;
  bytes: number;
  findings: number;
}

function print(text = ""): void {
  process.stdout.write(`${text}\n`);
}

function walk(root: string): string[] {
  const files: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  visit(root);
  return files;
}

/** Files every tool is asked to read: regular, at most 1 MB, not binary. */
function eligible(files: string[]): { files: string[]; bytes: number } {
  const kept: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const size = lstatSync(file).size;
    if (size > MAX_FILE_BYTES) continue;
    const head = readFileSync(file).subarray(0, 8000);
    if (head.includes(0)) continue;
    kept.push(file);
    bytes += size;
  }
  return { files: kept, bytes };
}

const TIME = "/usr/bin/time";
const HAS_TIME = spawnSync(TIME, ["-f", "%U", "true"]).status === 0;

/**
 * Runs a command, timing it from outside (wall clock), and with /usr/bin/time where installed (CPU
 * seconds, which a machine shared with other work disturbs less than wall time).
 */
function timed(
  command: string,
  args: string[],
  work: string,
): Promise<{ ms: number; cpu?: number; stdout: string }> {
  const cpuFile = join(work, "cpu.txt");
  const [cmd, argv] = HAS_TIME ? [TIME, ["-f", "%U %S", "-o", cpuFile, command, ...args]] : [command, args];
  const started = performance.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "inherit"] });
    const out: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.on("error", reject);
    child.on("close", () => {
      const ms = performance.now() - started;
      const cpu = HAS_TIME ? cpuSeconds(readFileSync(cpuFile, "utf8")) : undefined;
      resolveRun({ ms, cpu, stdout: Buffer.concat(out).toString("utf8") });
    });
  });
}

/** The last line of /usr/bin/time's output: user and system seconds. */
function cpuSeconds(text: string): number {
  const last = text.trim().split("\n").at(-1) ?? "";
  return last
    .split(/\s+/)
    .map(Number)
    .reduce((sum, v) => sum + v, 0);
}

function medianCpu(runs: Measured[]): number | undefined {
  return runs.every((r) => r.cpu !== undefined) ? median(runs.map((r) => r.cpu!)) : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// ---- child processes: one tool, one tree, JSON on stdout ----

async function childSkiff(root: string, listFile: string): Promise<void> {
  const paths = readFileSync(listFile, "utf8").split("\n").filter(Boolean);
  const totals = await scanFiles(root, paths, SETTINGS);
  const findings = totals.findings.map((f) => ({ file: f.file, rule: f.rule }));
  process.stdout.write(JSON.stringify({ files: totals.filesScanned, bytes: totals.bytesScanned, findings }));
}

async function childSecretlint(listFile: string): Promise<void> {
  const { createEngine } = await import("@secretlint/node");
  const engine = await createEngine({
    formatter: "json",
    color: false,
    configFileJSON: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] },
  });
  const filePathList = readFileSync(listFile, "utf8").split("\n").filter(Boolean);
  const result = await engine.executeOnFiles({ filePathList });
  const files = (JSON.parse(result.output) as Array<{ filePath: string; messages: unknown[] }>)
    .filter((r) => r.messages.length > 0)
    .map((r) => r.filePath);
  process.stdout.write(JSON.stringify({ files }));
}

/** The CLI itself, from this build: `skiff preflight …` in its own process. */
async function childCli(args: string[]): Promise<void> {
  const { main } = await import("../src/cli/main.js");
  process.exitCode = await main(args);
}

// ---- the tools ----

async function runSkiff(
  root: string,
  files: string[],
  work: string,
): Promise<Measured & { found: Array<{ file: string; rule: string }> }> {
  const list = join(work, "skiff-list.txt");
  writeFileSync(list, files.map((f) => relative(root, f)).join("\n"));
  const run = await timed(process.execPath, [SELF, "--child-skiff", root, list], work);
  const doc = JSON.parse(run.stdout) as {
    files: number;
    bytes: number;
    findings: Array<{ file: string; rule: string }>;
  };
  return {
    ms: run.ms,
    cpu: run.cpu,
    files: doc.files,
    bytes: doc.bytes,
    findings: doc.findings.length,
    found: doc.findings,
  };
}

async function runSecretlint(
  files: string[],
  bytes: number,
  work: string,
): Promise<Measured & { flagged: string[] }> {
  const list = join(work, "secretlint-list.txt");
  writeFileSync(list, files.join("\n"));
  const run = await timed(process.execPath, [SELF, "--child-secretlint", list], work);
  const doc = JSON.parse(run.stdout) as { files: string[] };
  return {
    ms: run.ms,
    cpu: run.cpu,
    files: files.length,
    bytes,
    findings: doc.files.length,
    flagged: doc.files,
  };
}

async function runRipgrep(root: string, files: number, bytes: number, work: string): Promise<Measured> {
  const keywords = join(work, "keywords.txt");
  writeFileSync(keywords, [...new Set(SECRET_RULES.flatMap((r) => r.keywords))].join("\n"));
  const args = ["-uu", "--no-messages", "-i", "-F", "-c", "--max-filesize", "1M", "-f", keywords, root];
  const run = await timed("rg", args, work);
  return { ms: run.ms, cpu: run.cpu, files, bytes, findings: run.stdout.split("\n").filter(Boolean).length };
}

/** The keywords the checks search for, one a line, for ripgrep's -f. */
function keywordFile(work: string, debug: boolean): string {
  const file = join(work, debug ? "keywords-debug.txt" : "keywords-secrets.txt");
  const words = [
    ...SECRET_RULES.flatMap((r) => r.keywords),
    ...(debug ? DEBUG_RULES.flatMap((r) => r.keywords.map((k) => k.toLowerCase())) : []),
  ];
  writeFileSync(file, [...new Set(words)].join("\n"));
  return file;
}

/**
 * The tree copied into a git repository, then the CLI end to end against ripgrep: what a user waits
 * for, git listing and worker start-up included.
 */
async function benchRealTree(source: string, work: string, runs: number): Promise<void> {
  const tree = join(work, "real-tree");
  mkdirSync(tree);
  spawnSync("cp", ["-a", source, join(tree, "tree")]);
  const git = (...args: string[]) =>
    spawnSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@localhost", ...args], {
      cwd: tree,
      stdio: "ignore",
    });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "tree");
  const all = walk(join(tree, "tree"));
  const { files, bytes } = eligible(all);
  print(`\n## Real tree in a git repository: a copy of ${source}`);
  print(
    `${all.length.toLocaleString("en")} files (${(spawnSync("du", ["-sm", tree]).stdout.toString().split("\t")[0] ?? "?").trim()} MB on disk), ${files.length.toLocaleString("en")} text files of at most 1 MB (${(bytes / 1e6).toFixed(1)} MB)`,
  );
  for (const checks of ["secrets", "secrets,debug"]) {
    const keywords = keywordFile(work, checks.includes("debug"));
    const cli = ["--child-cli", "preflight", tree, "--only", checks];
    await timed(process.execPath, [SELF, ...cli], work); // warm the page cache
    const skiffRuns: Measured[] = [];
    const rgRuns: Measured[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await timed(process.execPath, [SELF, ...cli], work);
      // The CLI prints a report, not a count: no findings column for it.
      skiffRuns.push({ ms: run.ms, cpu: run.cpu, files: files.length, bytes, findings: Number.NaN });
      if (rgAvailable()) {
        const rg = await timed("rg", ["-uuu", "-i", "-F", "-c", "--no-messages", "-f", keywords, tree], work);
        rgRuns.push({
          ms: rg.ms,
          cpu: rg.cpu,
          files: files.length,
          bytes,
          findings: rg.stdout.split("\n").filter(Boolean).length,
        });
      }
    }
    const skiff = { ...skiffRuns[0]!, ms: median(skiffRuns.map((r) => r.ms)), cpu: medianCpu(skiffRuns) };
    print(`\`skiff preflight --only ${checks}\` against \`rg -uuu -i -F -c\` with its keywords:`);
    print(row("skiff", skiff));
    if (rgRuns.length > 0) {
      const rg = { ...rgRuns[0]!, ms: median(rgRuns.map((r) => r.ms)), cpu: medianCpu(rgRuns) };
      print(row("ripgrep", rg));
      const cpu = skiff.cpu && rg.cpu ? `, ${(skiff.cpu / rg.cpu).toFixed(2)}x its CPU time` : "";
      print(
        `  skiff: ${(skiff.ms / rg.ms).toFixed(2)}x ripgrep's wall time${cpu} (target: within 3x); median of ${runs}`,
      );
    }
  }
}

async function benchOutside(work: string): Promise<void> {
  print(
    "\n## Outside corpus (gitleaks' true and false positives in real contexts; see bench/secrets-corpus)",
  );
  const { secrets, clean } = outsideCorpus();
  const secretsDir = join(work, "outside-secrets");
  const cleanDir = join(work, "outside-clean");
  writeCorpus(secretsDir, secrets);
  writeCorpus(cleanDir, clean);
  const found = await runSkiff(secretsDir, walk(secretsDir), work);
  for (const line of recallReport(recallByFamily(secrets, found.found))) print(line);
  const alarms = await runSkiff(cleanDir, walk(cleanDir), work);
  for (const line of falseAlarmReport(clean, alarms.found)) print(line);
}

function rgAvailable(): boolean {
  return spawnSync("rg", ["--version"]).status === 0;
}

/** A tree of at least TARGET_FILES files: hard-linked copies of `root` (same bytes, no extra disk). */
function enlarge(root: string, count: number, work: string): string {
  const big = join(work, "big-tree");
  mkdirSync(big);
  const copies = Math.ceil(TARGET_FILES / count);
  for (let i = 0; i < copies; i++) {
    const dest = join(big, `copy-${i}`);
    const linked = spawnSync("cp", ["-al", root, dest]);
    if (linked.status !== 0) spawnSync("cp", ["-a", root, dest]);
  }
  return big;
}

// ---- report ----

function row(name: string, m: Measured): string {
  const s = m.ms / 1000;
  return [
    name.padEnd(12),
    `${m.files.toLocaleString("en")} files`.padStart(14),
    `${(m.bytes / 1e6).toFixed(1)} MB`.padStart(10),
    `${m.ms.toFixed(0)} ms`.padStart(10),
    (m.cpu === undefined ? "" : `${m.cpu.toFixed(2)} s cpu`).padStart(12),
    `${Math.round(m.files / s).toLocaleString("en")} files/s`.padStart(16),
    `${(m.bytes / 1e6 / s).toFixed(1)} MB/s`.padStart(11),
    (Number.isNaN(m.findings)
      ? ""
      : `${m.findings} ${name === "ripgrep" ? "files with keywords" : "findings"}`
    ).padStart(26),
  ].join("  ");
}

/**
 * secretlint takes minutes on a tree this size (8 minutes on this project's node_modules, measured
 * once), so by default both tools scan the same evenly spread sample of the tree's files.
 */
async function compareSecretlint(root: string, files: string[], sample: number, work: string) {
  const step = Math.max(1, Math.floor(files.length / sample));
  const picked = files.filter((_, i) => i % step === 0);
  const bytes = picked.reduce((sum, f) => sum + lstatSync(f).size, 0);
  const skiff = await runSkiff(root, picked, work);
  const secretlint = await runSecretlint(picked, bytes, work);
  print(`same ${picked.length.toLocaleString("en")}-file sample (1 file in ${step}) for both:`);
  print(row("skiff", skiff));
  print(row("secretlint", secretlint));
  const cpu = skiff.cpu && secretlint.cpu ? `; ${(secretlint.cpu / skiff.cpu).toFixed(1)}x less CPU` : "";
  print(`skiff vs secretlint: ${(secretlint.ms / skiff.ms).toFixed(1)}x faster${cpu} (target: at least 5x)`);
}

async function benchTree(label: string, root: string, work: string, runs: number, secretlintSample: number) {
  const all = walk(root);
  const { files, bytes } = eligible(all);
  print(`\n## ${label}: ${root}`);
  print(
    `${all.length.toLocaleString("en")} files, ${files.length.toLocaleString("en")} of them text and at most 1 MB (${(bytes / 1e6).toFixed(1)} MB)`,
  );
  await runSkiff(root, all, work); // warm the page cache and the file system's metadata
  const skiffRuns: Measured[] = [];
  const rgRuns: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    skiffRuns.push(await runSkiff(root, all, work));
    if (rgAvailable()) rgRuns.push(await runRipgrep(root, files.length, bytes, work));
  }
  const skiff = { ...skiffRuns[0]!, ms: median(skiffRuns.map((r) => r.ms)), cpu: medianCpu(skiffRuns) };
  print(row("skiff", skiff));
  const rg =
    rgRuns.length > 0
      ? { ...rgRuns[0]!, ms: median(rgRuns.map((r) => r.ms)), cpu: medianCpu(rgRuns) }
      : undefined;
  if (rg) print(row("ripgrep", rg));
  print(`median of ${runs} runs; each timed from process start to exit`);
  if (rg)
    print(
      `skiff vs ripgrep (same keywords): ${(skiff.ms / rg.ms).toFixed(2)}x ripgrep's time (target: within 3x)`,
    );
  if (secretlintSample > 0) await compareSecretlint(root, files, secretlintSample, work);
  return skiff;
}

function recall(
  corpus: CorpusFile[],
  found: Array<{ file: string; rule: string }>,
): { hit: number; missed: string[] } {
  const byFile = new Map<string, Set<string>>();
  for (const f of found) byFile.set(f.file, (byFile.get(f.file) ?? new Set()).add(f.rule));
  const missed = corpus.filter((c) => !byFile.get(c.path)?.has(c.rule!)).map((c) => c.path);
  return { hit: corpus.length - missed.length, missed };
}

async function benchCorpora(work: string) {
  print("\n## Generated corpora");
  const secretsDir = join(work, "corpus-secrets");
  const cleanDir = join(work, "corpus-clean");
  const secrets = secretCorpus();
  const clean = cleanCorpus();
  writeCorpus(secretsDir, secrets);
  writeCorpus(cleanDir, clean);
  const skiffSecrets = await runSkiff(secretsDir, walk(secretsDir), work);
  const { hit, missed } = recall(secrets, skiffSecrets.found);
  const rules = new Set(secrets.map((c) => c.rule)).size;
  print(`fake secrets: ${secrets.length} files (${rules} rules, every format variant, 2-8 file types each)`);
  print(
    `  skiff recall: ${((hit / secrets.length) * 100).toFixed(2)}% (${hit}/${secrets.length}; target at least 99%)`,
  );
  if (missed.length > 0)
    print(`  missed: ${missed.slice(0, 10).join(", ")}${missed.length > 10 ? ", …" : ""}`);
  const skiffClean = await runSkiff(cleanDir, walk(cleanDir), work);
  print(`clean corpus: ${clean.length} files; skiff findings: ${skiffClean.findings} (target: 0)`);
  const secretsFiles = walk(secretsDir);
  const slSecrets = await runSecretlint(secretsFiles, 0, work);
  const slClean = await runSecretlint(walk(cleanDir), 0, work);
  print(
    `  for comparison, secretlint (recommended preset) flags ${slSecrets.flagged.length}/${secrets.length} fake-secret files (${((slSecrets.flagged.length / secrets.length) * 100).toFixed(1)}%) and ${slClean.flagged.length} clean files`,
  );
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--child-skiff") return childSkiff(argv[1]!, argv[2]!);
  if (argv[0] === "--child-secretlint") return childSecretlint(argv[1]!);
  if (argv[0] === "--child-cli") return childCli(argv.slice(1));
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const root = resolve(option("--dir") ?? "node_modules");
  const runs = Number(option("--runs") ?? 3);
  const sample = argv.includes("--secretlint-all")
    ? Number.MAX_SAFE_INTEGER
    : Number(option("--secretlint-sample") ?? 2500);
  const work = mkdtempSync(join(tmpdir(), "skiff-bench-"));
  try {
    print("# skiff preflight benchmark (secrets check)");
    const os = await import("node:os");
    const load = () =>
      os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ");
    print(
      `node ${process.version}, ${os.availableParallelism()} cores, load average ${load()} (other work on the machine slows every tool)`,
    );
    await benchRealTree(root, work, runs);
    const base = await benchTree("Tree, files handed to the scanner", root, work, runs, sample);
    if (base.files < TARGET_FILES) {
      const big = enlarge(root, walk(root).length, work);
      const label = `Tree of ${TARGET_FILES.toLocaleString("en")}+ files (hard-linked copies)`;
      const large = await benchTree(label, big, work, runs, 0);
      print(
        `skiff on ${large.files.toLocaleString("en")} files: ${(large.ms / 1000).toFixed(2)} s (target: 50,000 files under 3 s)`,
      );
    }
    await benchOutside(work);
    await benchCorpora(work);
    print(`\nload average at the end: ${load()}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
