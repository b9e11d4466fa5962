import { describe, expect, it } from "vitest";
import {
  deploymentKey,
  deploymentLabel,
  isDeploymentOf,
  isPreview,
  isProduction,
  previewEnvironment,
  previewSlugOf,
} from "./names.js";

describe("environment and deployment names", () => {
  it.each([
    ["production", "hello", "hello (production)", true, false, undefined],
    ["staging", "hello/staging", "hello (staging)", false, false, undefined],
    ["preview:feat-x", "hello/preview:feat-x", "hello (preview:feat-x)", false, true, "feat-x"],
  ])("%s: key %s, label, production/preview, slug", (env, key, label, production, preview, slug) => {
    expect(deploymentKey("hello", env)).toBe(key);
    expect(deploymentLabel("hello", env)).toBe(production ? "hello" : label);
    expect(isProduction(env)).toBe(production);
    expect(isPreview(env)).toBe(preview);
    expect(previewSlugOf(env)).toBe(slug);
  });

  it("builds the preview environment its slug parses back from", () => {
    expect(previewEnvironment("feat-x")).toBe("preview:feat-x");
    expect(previewSlugOf(previewEnvironment("feat-x"))).toBe("feat-x");
  });

  it.each([
    ["hello", "hello", true],
    ["hello/staging", "hello", true],
    ["hello/preview:x", "hello", true],
    ["hello-world", "hello", false],
    ["hello-world/staging", "hello", false],
    ["hello", "hello-world", false],
  ])("%s is a deployment of %s: %s", (key, app, expected) => {
    expect(isDeploymentOf(key, app)).toBe(expected);
  });
});
