import { describe, expect, it } from "vitest";
import { ContentScanner, type ScanSettings } from "./content-scanner.js";

const settings: ScanSettings = {
  debug: true,
  secrets: false,
  conflicts: false,
  todo: "warn",
  allowConsole: [],
  patterns: [],
};

function rulesIn(path: string, source: string, overrides: Partial<ScanSettings> = {}): string[] {
  return new ContentScanner({ ...settings, ...overrides })
    .scan(path, Buffer.from(source))
    .findings.map((f) => f.rule);
}

/** Debug leftovers are assembled here so this test file holds none of them as code. */
const log = ["console", "log("].join(".");
const dbg = ["debug", "ger"].join("");
const todo = ["TO", "DO:"].join("");

describe("debug leftovers in JavaScript/TypeScript", () => {
  it.each([
    ["a call", `${log}"x");`, ["js-console-log"]],
    ["console.debug", `console.${"debug("}x);`, ["js-console-log"]],
    ["commented out", `// ${log}x);`, []],
    ["in a string", `const help = "use ${log} to debug";`, []],
    ["in a template literal", `const help = \`use ${log}\`;`, []],
    ["in a template expression", `const s = \`\${${log}1)}\`;`, ["js-console-log"]],
    ["a method named log", `logger.log("x"); myconsole.log("y");`, []],
    ["debugger statement", `function f() {\n  ${dbg};\n}`, ["js-debugger"]],
    ["debugger as a key", `const options = { ${dbg}: true };`, []],
    ["it.only", `it.${"only("}"works", () => {});`, ["js-focused-test"]],
    ["describe.only", `describe.${"only("}"suite", () => {});`, ["js-focused-test"]],
    ["fit", `${"fit("}"works", () => {});`, ["js-focused-test"]],
    ["fdescribe", `${"fdescribe("}"suite", () => {});`, ["js-focused-test"]],
    ["a method named fit", `model.fit(data); outfit(x);`, []],
    ["it.skip", `it.${"skip("}"later", () => {});`, ["js-skipped-test"]],
    ["xit", `${"xit("}"later", () => {});`, ["js-skipped-test"]],
    ["xdescribe", `${"xdescribe("}"later", () => {});`, ["js-skipped-test"]],
    ["a skip method", `parser.skip(1);`, []],
    ["TODO in a comment", `// ${todo} handle errors`, ["todo-comment"]],
    ["TODO in a string", `const s = "${todo} list";`, []],
  ])("%s", (_name, source, expected) => {
    expect(rulesIn("src/app.ts", source)).toEqual(expected);
  });

  it("reports TODO as a warning by default and an error when configured to block", () => {
    const source = `// ${todo} later\n`;
    const scan = (todoMode: "warn" | "block") =>
      new ContentScanner({ ...settings, todo: todoMode }).scan("a.js", Buffer.from(source)).findings[0]
        ?.severity;
    expect(scan("warn")).toBe("warning");
    expect(scan("block")).toBe("error");
  });

  it("allows console.log in configured paths", () => {
    const source = `${log}"x");`;
    expect(rulesIn("scripts/release.ts", source, { allowConsole: ["scripts/"] })).toEqual([]);
    expect(rulesIn("src/release.ts", source, { allowConsole: ["scripts/"] })).toEqual(["js-console-log"]);
  });

  it("does not apply JavaScript rules to other languages", () => {
    expect(rulesIn("notes.md", `${log}"x");`)).toEqual([]);
  });
});

describe("debug leftovers in Python and Ruby", () => {
  it.each([
    ["app.py", `import ${"pdb"}\n${"pdb"}.set_trace()\n`, ["py-pdb", "py-pdb"]],
    ["app.py", `x = 1\n${"breakpoint("})\n`, ["py-breakpoint"]],
    ["app.py", `# ${"breakpoint("})\n`, []],
    ["app.py", `"""\n${"breakpoint("})\n"""\n`, []],
    ["app.py", `def ${"breakpoint("}):\n    pass\n`, []],
    ["app.rb", `def show\n  binding.${"pry"}\nend\n`, ["rb-binding-pry"]],
    ["app.rb", `# binding.${"pry"}\n`, []],
  ])("%s: %j", (path, source, expected) => {
    expect(rulesIn(path, source)).toEqual(expected);
  });
});

describe("inline allow", () => {
  it("drops findings on a line marked skiff:allow, or below skiff:allow-next-line", () => {
    const source = [
      `${log}"a"); // skiff:allow -- CLI output`,
      "// skiff:allow-next-line",
      `${log}"b");`,
      `${log}"c");`,
    ].join("\n");
    const result = new ContentScanner(settings).scan("cli.js", Buffer.from(source));
    expect(result.findings.map((f) => f.line)).toEqual([4]);
    expect(result.allowedInline).toBe(2);
  });
});
