import { describe, expect, it } from "vitest";
import { contextFilter } from "./build-context.js";

describe("contextFilter (.dockerignore, Docker's rules)", () => {
  const rules = [
    "node_modules",
    "*.log",
    "**/*.tmp",
    ".git",
    "secrets/",
    "!keep.log",
    "Dockerfile",
    ".dockerignore",
  ].join("\n");
  const ignored = contextFilter(rules, "Dockerfile");

  it.each([
    ["node_modules", true],
    ["./node_modules", true],
    ["node_modules/x/index.js", true],
    ["debug.log", true],
    ["keep.log", false],
    ["src/deep/a.tmp", true],
    // Patterns are anchored at the context's root, unlike .gitignore's.
    ["src/node_modules", false],
    [".git/HEAD", true],
    ["secrets/key.pem", true],
    ["src/index.js", false],
    // Always sent, even when listed: the engine needs them.
    ["Dockerfile", false],
    [".dockerignore", false],
  ])("%s ignored: %s", (path, expected) => expect(ignored(path)).toBe(expected));

  it("sends everything when there is no .dockerignore", () => {
    const none = contextFilter("", "deploy/Dockerfile");
    expect(["a", "node_modules/x", "deploy/Dockerfile"].map(none)).toEqual([false, false, false]);
  });
});
