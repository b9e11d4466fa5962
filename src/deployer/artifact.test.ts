import { describe, expect, it } from "vitest";
import { entryProblem } from "./artifact.js";

describe("entryProblem", () => {
  it.each([
    ["File", "server.js", undefined],
    ["Directory", "src/", undefined],
    ["File", "src/./lib/../index.js", undefined],
    ["SymbolicLink", "current", "releases/r1"],
    ["SymbolicLink", "src/link", "../README.md"],
    ["Link", "copy.txt", "original.txt"],
    ["GlobalExtendedHeader", "pax_global_header", undefined],
  ])("accepts %s %s", (type, path, link) => {
    expect(entryProblem(type, path, link)).toBeUndefined();
  });

  it.each([
    ["File", "/etc/passwd", undefined, "/etc/passwd: the path leaves the release directory"],
    ["File", "../outside.txt", undefined, "../outside.txt: the path leaves the release directory"],
    ["File", "a/../../outside.txt", undefined, "a/../../outside.txt: the path leaves the release directory"],
    ["File", "C:/windows.txt", undefined, "C:/windows.txt: the path leaves the release directory"],
    ["SymbolicLink", "etc", "/etc", "etc: the symbolic link points outside the release directory (/etc)"],
    [
      "SymbolicLink",
      "a/up",
      "../../..",
      "a/up: the symbolic link points outside the release directory (../../..)",
    ],
    [
      "Link",
      "shadow",
      "../../etc/shadow",
      "shadow: the hard link points outside the release directory (../../etc/shadow)",
    ],
    ["CharacterDevice", "dev/null", undefined, "dev/null: entries of type CharacterDevice are not allowed"],
    ["FIFO", "pipe", undefined, "pipe: entries of type FIFO are not allowed"],
  ])("refuses %s %s", (type, path, link, problem) => {
    expect(entryProblem(type, path, link)).toBe(problem);
  });
});
