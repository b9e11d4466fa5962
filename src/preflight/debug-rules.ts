import type { Language } from "./lexers/language.js";

/** A debug leftover: a call or statement in code, or a marker in a comment. */
export interface DebugRule {
  id: string;
  title: string;
  languages: readonly Language[];
  /** Lower-case words for the prefilter. */
  keywords: readonly string[];
  /** Flag `g`; must match at the leftover's first character. */
  regex: RegExp;
  /** Where a match counts: in code (not strings or comments), or in comments. */
  where: "code" | "comment";
  /** `todo` findings are warnings unless preflight.todo is `block`. */
  kind: "leftover" | "todo";
  hint: string;
}

const JS: Language[] = ["javascript"];
const ALL: Language[] = ["javascript", "python", "ruby"];
/** Written split so this file does not flag itself when the project scans its own source. */
const TODO = `TO${"DO"}`;
const FIXME = `FIX${"ME"}`;

export const DEBUG_RULES: readonly DebugRule[] = [
  {
    id: "js-console-log",
    title: "console.log/console.debug call",
    languages: JS,
    keywords: ["console.log", "console.debug"],
    regex: /(?<![\w$.])console\s*\.\s*(?:log|debug)\s*\(/g,
    where: "code",
    kind: "leftover",
    hint: "remove it or use the app's logger (preflight.allow_console in skiff.yml allows it in some paths)",
  },
  {
    id: "js-debugger",
    title: "debugger statement",
    languages: JS,
    keywords: ["debugger"],
    regex: /(?<![\w$.])debugger(?![\w$])\s*(?:;|$|\r?\n|\})/gm,
    where: "code",
    kind: "leftover",
    hint: "remove the debugger statement",
  },
  {
    id: "js-focused-test",
    title: "focused test (.only / fit / fdescribe)",
    languages: JS,
    keywords: [".only(", ".only (", "fit(", "fdescribe("],
    regex: /(?<![\w$.])(?:(?:describe|it|test|context|suite|specify)\s*\.\s*only|fit|fdescribe)\s*\(/g,
    where: "code",
    kind: "leftover",
    hint: "remove the focus so the whole suite runs",
  },
  {
    id: "js-skipped-test",
    title: "skipped test (.skip / xit / xdescribe)",
    languages: JS,
    keywords: [".skip(", ".skip (", "xit(", "xdescribe(", "xtest("],
    regex: /(?<![\w$.])(?:(?:describe|it|test|context|suite|specify)\s*\.\s*skip|xit|xdescribe|xtest)\s*\(/g,
    where: "code",
    kind: "leftover",
    hint: "re-enable or delete the test: a skipped test hides a failure",
  },
  {
    id: "py-pdb",
    title: "pdb debugger",
    languages: ["python"],
    keywords: ["pdb"],
    regex: /(?<![\w.])(?:import\s+i?pdb\b|from\s+i?pdb\s+import\b|i?pdb\s*\.\s*set_trace\s*\()/g,
    where: "code",
    kind: "leftover",
    hint: "remove the pdb import and set_trace() call",
  },
  {
    id: "py-breakpoint",
    title: "breakpoint() call",
    languages: ["python"],
    keywords: ["breakpoint("],
    regex: /(?<![\w.])(?<!def\s+)breakpoint\s*\(\s*\)/g,
    where: "code",
    kind: "leftover",
    hint: "remove the breakpoint() call",
  },
  {
    id: "rb-binding-pry",
    title: "binding.pry / byebug",
    languages: ["ruby"],
    keywords: ["binding.pry", "binding.irb", "byebug"],
    regex: /(?<![\w.])(?:binding\s*\.\s*(?:pry|irb)|byebug)(?![\w?!])/g,
    where: "code",
    kind: "leftover",
    hint: "remove the breakpoint",
  },
  {
    id: "todo-comment",
    title: `${TODO}/${FIXME} comment`,
    languages: ALL,
    keywords: [`${TODO}:`, `${FIXME}:`, `${TODO}(`, `${FIXME}(`].map((k) => k.toLowerCase()),
    regex: new RegExp(`(?<![A-Za-z0-9_])(?:${TODO}|${FIXME})(?:\\([^)\\n]*\\))?:`, "g"),
    where: "comment",
    kind: "todo",
    hint: "resolve it or move it to an issue (a warning unless preflight.todo is `block`)",
  },
];
