import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { githubSignature, verifyGithubSignature, verifyGitlabToken } from "./signature.js";
import { fakeSecret } from "./test-support/payloads.js";

const secret = fakeSecret();
const body = Buffer.from('{"zen":"Keep it logically awesome.","hook_id":1}');

describe("verifyGithubSignature", () => {
  it("computes GitHub's header: sha256= and the hex HMAC-SHA256 of the body", () => {
    const hex = createHmac("sha256", secret).update(body).digest("hex");
    expect(githubSignature(body, secret)).toBe(`sha256=${hex}`);
  });

  it("accepts the right signature, as a Buffer or text body", () => {
    expect(verifyGithubSignature(body, githubSignature(body, secret), secret)).toBe(true);
    expect(verifyGithubSignature(body.toString(), githubSignature(body, secret), secret)).toBe(true);
  });

  it.each([
    ["missing", () => undefined],
    ["empty", () => ""],
    ["signed with another secret", () => githubSignature(body, fakeSecret())],
    ["for another body", () => githubSignature(Buffer.concat([body, Buffer.from(" ")]), secret)],
    ["without the sha256= prefix", () => githubSignature(body, secret).slice(7)],
    ["sha1 instead", () => `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`],
    ["uppercase hex", () => `sha256=${githubSignature(body, secret).slice(7).toUpperCase()}`],
    ["truncated", () => githubSignature(body, secret).slice(0, -1)],
    ["multi-byte garbage", () => "é".repeat(71)],
  ])("refuses a signature %s", (_, make) => {
    expect(verifyGithubSignature(body, make(), secret)).toBe(false);
  });

  it("refuses everything when the app has no secret", () => {
    expect(verifyGithubSignature(body, githubSignature(body, ""), "")).toBe(false);
  });
});

describe("verifyGitlabToken", () => {
  it("accepts the secret itself", () => {
    expect(verifyGitlabToken(secret, secret)).toBe(true);
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["a prefix of it", secret.slice(0, -1)],
    ["longer", `${secret}x`],
    ["another", fakeSecret()],
  ])("refuses a token %s", (_, token) => {
    expect(verifyGitlabToken(token, secret)).toBe(false);
  });

  it("refuses everything when the app has no secret", () => {
    expect(verifyGitlabToken("", "")).toBe(false);
  });
});
