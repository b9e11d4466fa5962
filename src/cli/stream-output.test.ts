import { describe, expect, it } from "vitest";
import { stepLabel } from "./stream-output.js";

describe("stepLabel", () => {
  it.each([
    [
      "installed",
      "cached: package-lock.json unchanged; node_modules (120 files) from r2",
      { name: "installed (cached)", detail: "package-lock.json unchanged; node_modules (120 files) from r2" },
    ],
    ["installed", "ran `npm ci --omit=dev`", { name: "installed", detail: "ran `npm ci --omit=dev`" }],
    ["installed", undefined, { name: "installed" }],
    // Only the install's message means the cache.
    [
      "built",
      "cached: something the build printed",
      { name: "built", detail: "cached: something the build printed" },
    ],
    [
      "released",
      "backup b3, then `node migrate.js`",
      { name: "released", detail: "backup b3, then `node migrate.js`" },
    ],
  ])("%s %s", (step, message, expected) => {
    expect(stepLabel(step, message)).toEqual(expected);
  });
});
