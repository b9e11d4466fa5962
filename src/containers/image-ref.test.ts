import { describe, expect, it } from "vitest";
import { parseImageRef, pullReference, repositoryName } from "./image-ref.js";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("parseImageRef", () => {
  it.each([
    ["postgres", { registry: "docker.io", path: "library/postgres", tag: undefined, digest: undefined }],
    ["postgres:16", { registry: "docker.io", path: "library/postgres", tag: "16", digest: undefined }],
    ["me/app:1.2.3", { registry: "docker.io", path: "me/app", tag: "1.2.3", digest: undefined }],
    ["ghcr.io/me/app:1.2.3", { registry: "ghcr.io", path: "me/app", tag: "1.2.3", digest: undefined }],
    [
      "127.0.0.1:5000/me/app",
      { registry: "127.0.0.1:5000", path: "me/app", tag: undefined, digest: undefined },
    ],
    ["localhost/app:dev", { registry: "localhost", path: "app", tag: "dev", digest: undefined }],
    [`ghcr.io/me/app@${DIGEST}`, { registry: "ghcr.io", path: "me/app", tag: undefined, digest: DIGEST }],
    [`app:1@${DIGEST}`, { registry: "docker.io", path: "library/app", tag: "1", digest: DIGEST }],
    [
      "mcr.microsoft.com/azure-sql-edge:1.0.4",
      { registry: "mcr.microsoft.com", path: "azure-sql-edge", tag: "1.0.4", digest: undefined },
    ],
    ["a__b/c-d.e:x", { registry: "docker.io", path: "a__b/c-d.e", tag: "x", digest: undefined }],
  ])("%s", (text, expected) => expect(parseImageRef(text)).toEqual(expected));

  it.each([
    ["", "expected an image reference"],
    ["Me/App", "expected lowercase letters"],
    ["app:1 2", "must not contain spaces"],
    ["app@sha256:abc", "digest after @"],
    ["app:-bad", "the tag"],
    ["ghcr.io/-x/app", "expected lowercase letters"],
    ["me/a..b", "expected lowercase letters"],
    ["a..b/c", 'the registry "a..b" is not a host name'],
    [`\${REGISTRY}/app`, "expected lowercase letters"],
  ])("refuses %j", (text, message) => {
    const parsed = parseImageRef(text);
    expect("error" in parsed && parsed.error).toContain(message);
  });

  it.each([
    ["postgres", "postgres:latest", "postgres"],
    ["ghcr.io/me/app:1.2.3", "ghcr.io/me/app:1.2.3", "ghcr.io/me/app"],
    [`ghcr.io/me/app@${DIGEST}`, `ghcr.io/me/app@${DIGEST}`, "ghcr.io/me/app"],
    ["me/app", "me/app:latest", "me/app"],
  ])("%s pulls as %s from repository %s", (text, pull, repository) => {
    const parsed = parseImageRef(text);
    if ("error" in parsed) throw new Error(parsed.error);
    expect(pullReference(parsed)).toBe(pull);
    expect(repositoryName(parsed)).toBe(repository);
  });
});
