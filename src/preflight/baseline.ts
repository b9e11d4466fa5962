import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { Finding } from "./types.js";

/**
 * A baseline records findings someone looked at and accepted, by fingerprint only: no secret, no
 * line text. Findings whose fingerprint is listed are not reported.
 */
const baselineSchema = z.object({
  version: z.literal(1),
  fingerprints: z.array(
    z.object({
      fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
      check: z.string(),
      rule: z.string(),
      file: z.string(),
    }),
  ),
});

export type Baseline = z.infer<typeof baselineSchema>;

export function readBaseline(file: string): Set<string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : "is not valid JSON";
    throw new UsageError(
      `--baseline ${file}: ${reason}`,
      "create one with `skiff preflight --write-baseline FILE`",
    );
  }
  const parsed = baselineSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `--baseline ${file}: ${issue.path.join(".") || "(top level)"}: ${issue.message}`,
      'expected { "version": 1, "fingerprints": [{ "fingerprint", "check", "rule", "file" }] }',
    );
  }
  return new Set(parsed.data.fingerprints.map((f) => f.fingerprint));
}

export function writeBaseline(file: string, findings: readonly Finding[]): number {
  const seen = new Set<string>();
  const fingerprints = findings
    .filter((f) => !seen.has(f.fingerprint) && seen.add(f.fingerprint))
    .map((f) => ({ fingerprint: f.fingerprint, check: f.check, rule: f.rule, file: f.file }));
  const baseline: Baseline = { version: 1, fingerprints };
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
  return fingerprints.length;
}
