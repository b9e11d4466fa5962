import { describe, expect, it } from "vitest";
import { runPreflight } from "./run.js";
import { cleanCorpus, secretCorpus, writeCorpus } from "./secrets/corpus.js";
import { useTempDirs } from "./test-support/temp-repo.js";

const tempDir = useTempDirs();

describe("the generated corpora, scanned from disk", () => {
  it("reports at least 99% of the fake secrets, each at its rule", async () => {
    const dir = tempDir();
    const corpus = secretCorpus();
    writeCorpus(dir, corpus);
    const report = await runPreflight(dir, { only: ["secrets"] });
    const byFile = new Map<string, string[]>();
    for (const f of report.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f.rule]);
    const found = corpus.filter((file) => byFile.get(file.path)?.includes(file.rule!));
    const missed = corpus.filter((file) => !found.includes(file)).map((f) => f.path);
    expect(report.summary.filesScanned).toBe(corpus.length);
    expect(found.length / corpus.length, `missed: ${missed.slice(0, 20).join(", ")}`).toBeGreaterThanOrEqual(
      0.99,
    );
  });

  it("reports nothing on the clean corpus", async () => {
    const dir = tempDir();
    const corpus = cleanCorpus();
    writeCorpus(dir, corpus);
    const report = await runPreflight(dir, { only: ["secrets"] });
    expect(report.summary.filesScanned).toBe(corpus.length);
    expect(report.findings.map((f) => `${f.file}: ${f.rule} ${f.snippet}`)).toEqual([]);
  });
});
