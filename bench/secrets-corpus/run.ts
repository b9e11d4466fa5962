/**
 * npm run bench:secrets-corpus [-- --misses FAMILY] [--false-alarms]
 *
 * Scans the outside corpus (bench/secrets-corpus, gitleaks' examples in real contexts) in this
 * process and prints recall per provider family and the false alarms on its known non-secrets.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanFiles } from "../../src/preflight/scan-pool.js";
import { writeCorpus } from "../../src/preflight/secrets/corpus.js";
import { outsideCorpus } from "./outside-corpus.js";
import { falseAlarmReport, recallByFamily, recallReport } from "./score.js";

const SETTINGS = {
  debug: false,
  secrets: true,
  conflicts: false,
  todo: "warn" as const,
  allowConsole: [],
  patterns: [],
};

const argv = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), "skiff-outside-"));
try {
  const { secrets, clean } = outsideCorpus();
  writeCorpus(join(work, "s"), secrets);
  writeCorpus(join(work, "c"), clean);
  const found = await scanFiles(
    join(work, "s"),
    secrets.map((f) => f.path),
    SETTINGS,
  );
  const scores = recallByFamily(secrets, found.findings);
  for (const line of recallReport(scores)) console.log(line);
  const alarms = await scanFiles(
    join(work, "c"),
    clean.map((f) => f.path),
    SETTINGS,
  );
  for (const line of falseAlarmReport(clean, alarms.findings)) console.log(line);
  const family = argv[argv.indexOf("--misses") + 1];
  if (argv.includes("--misses")) {
    const score = scores.find((s) => s.family === family);
    for (const path of score?.missed ?? []) {
      const file = secrets.find((f) => f.path === path)!;
      console.log(`--- ${path}\n${file.content.slice(0, 400)}`);
    }
  }
  if (argv.includes("--false-alarms")) {
    const elsewhere = new Set(clean.filter((f) => f.secretElsewhere).map((f) => f.path));
    for (const f of alarms.findings) {
      const tag = elsewhere.has(f.file) ? " (another rule's true positive)" : "";
      console.log(`--- ${f.file} ${f.rule}${tag}: ${(f.snippet ?? "").slice(0, 200)}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
