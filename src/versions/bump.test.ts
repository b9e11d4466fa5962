import { describe, expect, it } from "vitest";
import { bumpFor, INITIAL_VERSION, nextVersion } from "./bump.js";

const feat = { type: "feat", breaking: false };
const fix = { type: "fix", breaking: false };
const docs = { type: "docs", breaking: false };
const plain = { type: undefined, breaking: false };
const breaking = { type: "fix", breaking: true };

describe("bumpFor", () => {
  it.each([
    [[], undefined],
    [[plain], "patch"],
    [[docs, fix], "patch"],
    [[fix, feat, docs], "minor"],
    [[feat, breaking], "major"],
    [[breaking], "major"],
  ] as const)("%j → %s", (commits, expected) => expect(bumpFor([...commits])).toBe(expected));
});

describe("nextVersion", () => {
  it.each([
    ["1.4.2", [fix], "1.4.3", "patch"],
    ["1.4.2", [plain, docs], "1.4.3", "patch"],
    ["1.4.2", [fix, feat], "1.5.0", "minor"],
    ["1.4.2", [feat, breaking], "2.0.0", "major"],
    ["1.0.0", [breaking], "2.0.0", "major"],
    ["0.3.1", [breaking], "0.4.0", "minor"],
    ["0.3.1", [feat], "0.4.0", "minor"],
    ["0.3.1", [fix], "0.3.2", "patch"],
    ["0.0.3", [breaking], "0.1.0", "minor"],
    ["1.4.2", [], "1.4.2", "none"],
    [undefined, [breaking, feat], INITIAL_VERSION, "initial"],
    [undefined, [], INITIAL_VERSION, "initial"],
  ] as const)("%s + %j → %s (%s)", (base, commits, version, bump) => {
    expect(nextVersion(base, [...commits])).toEqual({ version, bump });
  });

  it.each(["1.2", "v1.2.3", "1.2.3-rc.1", "latest"])("rejects the base %j", (base) => {
    expect(() => nextVersion(base, [fix])).toThrow(/not a release version/);
  });
});
