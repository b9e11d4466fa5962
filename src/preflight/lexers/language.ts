import { javascriptRegions } from "./javascript.js";
import { pythonRegions } from "./python.js";
import { rubyRegions } from "./ruby.js";

export type Language = "javascript" | "python" | "ruby";

const BY_EXTENSION: Record<string, Language> = {
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  ts: "javascript",
  tsx: "javascript",
  mts: "javascript",
  cts: "javascript",
  py: "python",
  pyw: "python",
  pyi: "python",
  rb: "ruby",
  rake: "ruby",
  gemspec: "ruby",
};

const BY_NAME: Record<string, Language> = { Rakefile: "ruby", Gemfile: "ruby" };

/** The language whose lexer and debug rules apply to a path, if any. */
export function languageOf(path: string): Language | undefined {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return BY_NAME[name] ?? (dot > 0 ? BY_EXTENSION[name.slice(dot + 1).toLowerCase()] : undefined);
}

/** Regions of `text`, lexed as far as `end` at least (a region needed no further is not worked out). */
export function regionsOf(language: Language, text: string, end = text.length): Uint8Array {
  switch (language) {
    case "javascript":
      return javascriptRegions(text, end);
    case "python":
      return pythonRegions(text, end);
    case "ruby":
      return rubyRegions(text, end);
  }
}
