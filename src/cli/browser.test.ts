import { describe, expect, it } from "vitest";
import { browserCommand } from "./browser.js";

describe("opening the dashboard in a browser", () => {
  it.each([
    ["linux with X", "linux", { DISPLAY: ":0" }, "xdg-open"],
    ["linux with Wayland", "linux", { WAYLAND_DISPLAY: "wayland-0" }, "xdg-open"],
    ["linux without a display (SSH, CI)", "linux", {}, undefined],
    ["a Mac", "darwin", {}, "open"],
    ["a Mac over SSH", "darwin", { SSH_CONNECTION: "1.2.3.4 5 6.7.8.9 22" }, undefined],
    ["Windows", "win32", {}, "cmd"],
    ["anything, when SKIFF_NO_BROWSER is set", "linux", { DISPLAY: ":0", SKIFF_NO_BROWSER: "1" }, undefined],
  ] as const)("%s: %s", (_name, platform, env, command) => {
    expect(browserCommand(platform, env)?.command).toBe(command);
  });
});
