import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Tests that need a component from outside the project (dockerd, pebble, postgresql, chromium…) skip with
 * a message naming the Debian package when it is absent, and fail instead when SKIFF_REQUIRE_EXTERNAL=1
 * (CI sets it: there a missing component is a broken machine, not a reason to test less).
 */

export function externalRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SKIFF_REQUIRE_EXTERNAL === "1";
}

/**
 * True when the tests that need `name` must be skipped. Use as `describe.skipIf(requireExternal(…))`.
 * `available` is what the test found (e.g. "the engine answered a ping"); `why` says what was missing.
 */
export function requireExternal(name: string, debianPackage: string, available: boolean, why = ""): boolean {
  if (available) return false;
  const message = `${name} is not available${why ? ` (${why})` : ""}: install the Debian package ${debianPackage}`;
  if (externalRequired()) throw new Error(`${message}; SKIFF_REQUIRE_EXTERNAL=1 makes this a failure`);
  console.warn(`skipping tests that need ${name}: ${message}`);
  return true;
}

/** Whether `command` is an executable on PATH (or an executable path): the `available` of a CLI tool. */
export function onPath(command: string): boolean {
  const candidates = command.includes("/")
    ? [command]
    : (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
