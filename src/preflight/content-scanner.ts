import ignore, { type Ignore } from "ignore";
import type { CustomPattern } from "./config.js";
import { CONFLICT_KEYWORDS, isConflictMarker } from "./conflict-markers.js";
import { type CompiledPattern, compilePatterns, findPatterns } from "./custom-patterns.js";
import { findDebugLeftovers } from "./debug-detect.js";
import { DEBUG_RULES, type DebugRule } from "./debug-rules.js";
import {
  allowedInline,
  conflictFinding,
  debugFinding,
  patternFinding,
  secretFileFinding,
  secretFinding,
} from "./file-findings.js";
import { KeywordMatcher } from "./keyword-matcher.js";
import { languageOf } from "./lexers/language.js";
import { SecretDetector } from "./secrets/detect.js";
import type { SecretRule } from "./secrets/rule.js";
import { SECRET_RULES } from "./secrets/rules/index.js";
import { secretFileRule } from "./secrets/secret-files.js";
import { SourceFile } from "./source-file.js";
import type { Finding } from "./types.js";

/** What the content pass looks for; plain data so it can be sent to worker threads. */
export interface ScanSettings {
  debug: boolean;
  secrets: boolean;
  /** Merge-conflict markers (part of the git check). */
  conflicts: boolean;
  todo: "warn" | "block";
  /** Paths (gitignore syntax) where console.log is fine. */
  allowConsole: string[];
  patterns: CustomPattern[];
}

export interface FileScanResult {
  findings: Finding[];
  /** Findings dropped because their line (or the one above) says `skiff:allow`. */
  allowedInline: number;
}

/** The result for a file with nothing found, shared (and frozen) so the common case allocates nothing. */
const NOTHING = Object.freeze({ findings: Object.freeze([]) as unknown as Finding[], allowedInline: 0 });

type Target =
  | { kind: "secret"; rule: SecretRule }
  | { kind: "debug"; rule: DebugRule }
  | { kind: "conflict" }
  | { kind: "pattern"; entry: CompiledPattern };

/**
 * The content checks of one file in one pass: a single keyword scan over the bytes finds every place
 * where a secret rule, a debug rule, a conflict marker or a custom pattern could match; only there
 * do regexes and lexers run.
 */
export class ContentScanner {
  private readonly settings: ScanSettings;
  private readonly matcher: KeywordMatcher;
  private readonly targets: Target[][];
  private readonly keywordLength: number[];
  /** Per keyword id, the secret rules it triggers: read straight from the hit list, no allocation. */
  private readonly secretRulesOf: SecretRule[][];
  private readonly secrets = new SecretDetector(SECRET_RULES);
  private readonly patterns: CompiledPattern[];
  private readonly wholeFilePatterns: CompiledPattern[];
  private readonly allowConsole: Ignore;
  /** Debug rules, conflict markers or custom patterns: hits beyond the secret rules to look at. */
  private readonly othersEnabled: boolean;
  /** (keyword id, end offset) pairs of the current file, reused from file to file. */
  private readonly hits: number[] = [];

  constructor(settings: ScanSettings) {
    this.settings = settings;
    this.patterns = compilePatterns(settings.patterns).filter((p) => this.patternEnabled(p.pattern));
    this.wholeFilePatterns = this.patterns.filter((p) => p.pattern.keywords.length === 0);
    this.allowConsole = ignore().add(settings.allowConsole);
    this.othersEnabled = settings.debug || settings.conflicts || this.patterns.length > 0;
    const byKeyword = new Map<string, Target[]>();
    const add = (keyword: string, target: Target) => {
      const key = keyword.toLowerCase();
      byKeyword.set(key, [...(byKeyword.get(key) ?? []), target]);
    };
    if (settings.secrets)
      for (const rule of SECRET_RULES) for (const k of rule.keywords) add(k, { kind: "secret", rule });
    if (settings.debug)
      for (const rule of DEBUG_RULES) for (const k of rule.keywords) add(k, { kind: "debug", rule });
    if (settings.conflicts) for (const k of CONFLICT_KEYWORDS) add(k, { kind: "conflict" });
    for (const entry of this.patterns)
      for (const k of entry.pattern.keywords) add(k, { kind: "pattern", entry });
    const keywords = [...byKeyword.keys()];
    this.matcher = new KeywordMatcher(keywords);
    this.targets = keywords.map((k) => byKeyword.get(k)!);
    this.keywordLength = keywords.map((k) => Buffer.byteLength(k, "latin1"));
    this.secretRulesOf = this.targets.map((targets) =>
      targets.flatMap((t) => (t.kind === "secret" ? [t.rule] : [])),
    );
  }

  scan(path: string, bytes: Uint8Array): FileScanResult {
    this.hits.length = 0;
    this.matcher.scan(bytes, this.onHit);
    if (this.hits.length === 0 && this.wholeFilePatterns.length === 0) return NOTHING;
    const file = new SourceFile(path, bytes);
    const secretMatches = this.secrets.find(file, this.hits, this.secretRulesOf, this.keywordLength);
    // The common case on a secrets-only scan: keywords, but no secret.
    if (secretMatches.length === 0 && !this.othersEnabled) return NOTHING;
    for (const m of secretMatches) file.secrets.push({ start: m.start, end: m.maskEnd });
    const grouped = this.othersEnabled ? this.group() : { debug: [], pattern: [], conflict: [] };
    const patternMatches = findPatterns(file, this.patterns, grouped.pattern);
    for (const m of patternMatches) {
      if (m.pattern.check === "secrets") file.secrets.push({ start: m.secretStart, end: m.secretEnd });
    }
    const findings = [
      ...secretMatches.map((m) => secretFinding(file, m)),
      ...patternMatches.map((m) => patternFinding(file, m)),
      ...this.debugFindings(file, grouped.debug),
      ...grouped.conflict
        .filter((start) => isConflictMarker(file, start))
        .map((start) => conflictFinding(file, start)),
    ];
    const kept = findings.filter((f) => !allowedInline(file, f));
    return { findings: kept, allowedInline: findings.length - kept.length };
  }

  /** A finding for a file that is a secret by its name, or undefined: runs on binary files too. */
  fileNameFinding(path: string): Finding | undefined {
    if (!this.settings.secrets) return undefined;
    const rule = secretFileRule(path);
    return rule && secretFileFinding(path, rule);
  }

  private readonly onHit = (keywordId: number, end: number): void => {
    this.hits.push(keywordId, end);
  };

  private patternEnabled(pattern: CustomPattern): boolean {
    return pattern.check === "secrets" ? this.settings.secrets : this.settings.debug;
  }

  /** Hits for the rarer targets (debug rules, conflict markers, custom patterns), grouped by kind. */
  private group() {
    const debug: Array<[DebugRule, number, number]> = [];
    const pattern: Array<[CompiledPattern, number, number]> = [];
    const conflict: number[] = [];
    for (let i = 0; i < this.hits.length; i += 2) {
      const id = this.hits[i]!;
      const end = this.hits[i + 1]!;
      const start = end - this.keywordLength[id]!;
      for (const target of this.targets[id]!) {
        if (target.kind === "debug") debug.push([target.rule, start, end]);
        else if (target.kind === "pattern") pattern.push([target.entry, start, end]);
        else if (target.kind === "conflict") conflict.push(start);
      }
    }
    return { debug, pattern, conflict };
  }

  private debugFindings(file: SourceFile, hits: Array<[DebugRule, number, number]>): Finding[] {
    if (hits.length === 0) return [];
    const language = languageOf(file.path);
    if (!language) return [];
    const consoleAllowed = this.allowConsole.ignores(file.path);
    return findDebugLeftovers(file, language, hits)
      .filter((m) => !(consoleAllowed && m.rule.id === "js-console-log"))
      .map((m) =>
        debugFinding(file, m, m.rule.kind === "todo" && this.settings.todo === "warn" ? "warning" : "error"),
      );
  }
}
