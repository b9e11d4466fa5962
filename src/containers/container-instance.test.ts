import { describe, expect, it } from "vitest";
import { signalOf } from "./container-instance.js";

describe("signalOf", () => {
  it.each([
    [0, null],
    [1, null],
    [128, null],
    [137, "SIGKILL"],
    [143, "SIGTERM"],
    [130, "SIGINT"],
    [null, null],
  ])("exit code %s → %s", (code, signal) => expect(signalOf(code)).toBe(signal));
});
