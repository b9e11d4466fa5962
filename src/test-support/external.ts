import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Whether a test needing an outside component should skip: false when it is there; true (with a
 * message naming the Debian package) when it is not; an error instead when SKIFF_REQUIRE_EXTERNAL=1
 * (CI), where a missing component must fail the run rather than silently skip its tests.
 */
export function requireExternal(name: string, debianPackage: string, available: boolean): boolean {
  if (available) return false;
  const message = `${name} is not installed (Debian package: ${debianPackage})`;
  if (process.env.SKIFF_REQUIRE_EXTERNAL === "1")
    throw new Error(`${message}, and SKIFF_REQUIRE_EXTERNAL=1 requires it: apt-get install ${debianPackage}`);
  process.stderr.write(`skipping tests that need ${name}: ${message}\n`);
  return true;
}

/** Whether `command` is an executable on PATH (or an executable path). */
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
