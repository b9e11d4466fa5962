import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.js";
import { parseMeta } from "./deploys.js";

const header = (meta: unknown) => Buffer.from(JSON.stringify(meta)).toString("base64url");
const commit = { sha: "abc1234", message: "feat: x", author: "me", committedAt: "2026-05-01T08:00:00Z" };

describe("parseMeta", () => {
  it.each([
    ["no header", undefined, { commit: null, deployedBy: null }],
    [
      "a whole one",
      header({ commit, deployedBy: "me", version: "1.2.0" }),
      { commit, deployedBy: "me", version: "1.2.0" },
    ],
    [
      "a v version",
      header({ commit: null, deployedBy: null, version: "v1.2.0" }),
      { commit: null, deployedBy: null, version: "v1.2.0" },
    ],
    [
      "a version that is not one",
      header({ version: "soon" }),
      { commit: null, deployedBy: null, version: null },
    ],
  ])("%s", (_name, value, meta) => {
    expect(parseMeta(value)).toEqual(meta);
  });

  it.each([
    ["not base64url JSON", "%%%", "x-skiff-deploy: expected base64url-encoded JSON"],
    [
      "a commit without its sha",
      header({ commit: { ...commit, sha: 7 } }),
      "x-skiff-deploy: commit.sha: expected a string",
    ],
    [
      "a commit that is not an object",
      header({ commit: "abc" }),
      "x-skiff-deploy: commit: expected { sha, message, author, committedAt }",
    ],
  ])("refuses %s, naming the header", (_name, value, message) => {
    expect(() => parseMeta(value)).toThrow(new UsageError(message));
  });
});
