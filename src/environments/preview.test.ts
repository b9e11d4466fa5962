import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { previewFor, previewHost, previewSlug } from "./preview.js";

const HOSTNAME_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe("previewSlug", () => {
  it.each([
    ["feature/login", "feature-login"],
    ["Feature/Login_V2", "feature-login-v2"],
    ["fix--double//slash", "fix-double-slash"],
    ["-leading-and-trailing-", "leading-and-trailing"],
    ["dependabot/npm_and_yarn/vitest-4.1.2", "dependabot-npm-and-yarn-vitest-4-1-2"],
    ["x", "x"],
  ])("%s → %s", (branch, slug) => expect(previewSlug(branch)).toBe(slug));

  it.each(["a".repeat(200), `feature/${"very-long-".repeat(10)}`, "émoji/🚀", "___"])(
    "keeps %j a valid DNS label",
    (branch) => {
      const slug = previewSlug(branch);
      expect(slug).toMatch(HOSTNAME_LABEL);
      expect(slug.length).toBeLessThanOrEqual(63);
    },
  );

  it("tells apart long branches that share their first 56 characters", () => {
    const prefix = "feature/".padEnd(70, "x");
    expect(previewSlug(`${prefix}-one`)).not.toBe(previewSlug(`${prefix}-two`));
  });

  it("is stable", () => {
    expect(previewSlug("b".repeat(99))).toBe(previewSlug("b".repeat(99)));
  });
});

describe("previewHost", () => {
  it.each([
    ["{branch}.preview.hello.example.com", "feat/x", "feat-x.preview.hello.example.com"],
    ["pr-{branch}.hello.example.com", "Fix_It", "pr-fix-it.hello.example.com"],
  ])("%s + %s → %s", (template, branch, host) => expect(previewHost(template, branch)).toBe(host));

  it("shortens the slug so the whole label fits in 63 characters", () => {
    const host = previewHost("{branch}-preview.example.com", "z".repeat(100));
    expect(host.split(".")[0]!.length).toBe(63);
    expect(host.split(".")[0]).toMatch(HOSTNAME_LABEL);
  });
});

describe("previewFor", () => {
  const base = "app: hello\nstart: node server.js\nhost: hello.example.com\ninstances: 3\n";

  it("is production's config at the preview host with one instance and none of its secrets", () => {
    const config = parseAppConfig(
      `${base}secrets: [DATABASE_URL]\npreviews: { enabled: true, host: "{branch}.pv.example.com" }\n`,
    );
    const preview = previewFor(config, "feat/login");
    expect(preview).toMatchObject({
      branch: "feat/login",
      slug: "feat-login",
      host: "feat-login.pv.example.com",
    });
    expect(preview?.config).toMatchObject({
      app: "hello",
      hosts: ["feat-login.pv.example.com"],
      instances: 1,
      secrets: [],
    });
  });

  it("derives the host from the app's host when there is no template", () => {
    const config = parseAppConfig(`${base}previews: { enabled: true }\n`);
    expect(previewFor(config, "x")?.host).toBe("x.preview.hello.example.com");
  });

  it("is undefined when previews are off", () => {
    expect(previewFor(parseAppConfig(base), "x")).toBeUndefined();
  });
});
