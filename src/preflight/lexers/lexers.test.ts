import { describe, expect, it } from "vitest";
import { javascriptRegions } from "./javascript.js";
import { pythonRegions } from "./python.js";
import { CODE, COMMENT, STRING } from "./regions.js";
import { rubyRegions } from "./ruby.js";

/** The region of the first occurrence of `needle` in `source`. */
function regionAt(regions: (text: string) => Uint8Array, source: string, needle: string): number {
  const index = source.indexOf(needle);
  if (index < 0) throw new Error(`${needle} not in source`);
  return regions(source)[index]!;
}

const call = "target(";

describe("javascriptRegions", () => {
  it.each([
    ["code", `${call}x);`, CODE],
    ["line comment", `// ${call}x)`, COMMENT],
    ["block comment", `/* a\n ${call}x) */`, COMMENT],
    ["double-quoted string", `const s = "${call}";`, STRING],
    ["single-quoted string", `const s = '${call}';`, STRING],
    ["template literal", `const s = \`use ${call} here\`;`, STRING],
    ["template expression", `const s = \`a \${${call}1)} b\`;`, CODE],
    ["nested template", `\`a \${\`b \${${call}2)}\`}\``, CODE],
    ["after a template", `\`a \${b}\`; ${call}3);`, CODE],
    ["after a braced object in a template", `\`a \${ {x: 1}.x }\`; ${call}4);`, CODE],
    ["regex literal", `const r = /${call}/g;`, STRING],
    ["division is not a regex", `const r = a / 2; ${call}5); const t = b / 3;`, CODE],
    ["regex after return", `function f() { return /${call}/.test(s); }`, STRING],
    ["escaped quote", `const s = "a \\" ${call}"; `, STRING],
    ["code after a string", `const s = "a"; ${call}6);`, CODE],
    ["hashbang", `#!/usr/bin/env node ${call}\n`, COMMENT],
  ])("%s", (_name, source, expected) => {
    expect(regionAt(javascriptRegions, source, call)).toBe(expected);
  });
});

describe("pythonRegions", () => {
  it.each([
    ["code", `${call})`, CODE],
    ["comment", `# ${call})`, COMMENT],
    ["string", `s = '${call}'`, STRING],
    ["triple-quoted docstring", `"""\nDoc ${call})\n"""\n`, STRING],
    ["f-string", `s = f"{x} ${call}"`, STRING],
    ["after a docstring", `"""doc"""\n${call})`, CODE],
    ["hash inside a string", `s = "#"; ${call})`, CODE],
  ])("%s", (_name, source, expected) => {
    expect(regionAt(pythonRegions, source, call)).toBe(expected);
  });
});

describe("rubyRegions", () => {
  it.each([
    ["code", `${call})`, CODE],
    ["comment", `# ${call})`, COMMENT],
    ["string", `s = "${call}"`, STRING],
    ["=begin block", `=begin\n${call})\n=end\n`, COMMENT],
    ["after =end", `=begin\nx\n=end\n${call})`, CODE],
  ])("%s", (_name, source, expected) => {
    expect(regionAt(rubyRegions, source, call)).toBe(expected);
  });
});
