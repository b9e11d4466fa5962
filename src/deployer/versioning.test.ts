import { describe, expect, it } from "vitest";
import { isVersion, parseVersion, releaseVersion, type VersionFacts } from "./versioning.js";

describe("parseVersion", () => {
  it.each([
    ["1.4.2", "1.4.2"],
    ["v1.4.2", "1.4.2"],
    ["1.5.0-rc.1", "1.5.0-rc.1"],
    ["r3", undefined],
    ["1.4", undefined],
    ["v1.4.2garbage", undefined],
    ["", undefined],
  ])("%j → %j", (text, version) => {
    expect(parseVersion(text)).toBe(version);
    expect(isVersion(text)).toBe(version !== undefined);
  });
});

describe("releaseVersion", () => {
  it.each<[string, VersionFacts, string | null]>([
    ["a first production release", { env: "production" }, "0.1.0"],
    ["the version given, without its v", { env: "production", given: "v1.2.0", highest: "1.1.0" }, "1.2.0"],
    ["a patch above the highest", { env: "production", highest: "1.1.9" }, "1.1.10"],
    ["a commit keeps its version", { env: "production", given: "2.0.0", ofCommit: "1.0.0" }, "1.0.0"],
    [
      "a given version that is not one is ignored",
      { env: "production", given: "soon", highest: "1.0.0" },
      "1.0.1",
    ],
    ["staging carries none of its own", { env: "staging", highest: "1.0.0", ofCommit: "1.0.0" }, null],
    ["staging carries one given to it", { env: "staging", given: "v1.0.0" }, "1.0.0"],
    ["a preview carries none", { env: "preview:feat-x" }, null],
  ])("%s", (_name, facts, version) => {
    expect(releaseVersion(facts)).toBe(version);
  });
});
