/**
 * Tests that need a component from outside the project (postgresql, docker, chromium…) skip with a
 * message naming the Debian package when it is absent, and fail instead under SKIFF_REQUIRE_EXTERNAL=1
 * (CI sets it), so a missing install on the CI machine is never mistaken for a green run.
 *
 *   const skip = requireExternal("PostgreSQL", "postgresql", existsSync(INITDB));
 *   describe.skipIf(skip)("…", () => { … });
 *
 * Returns true when the tests should be skipped.
 */
export function requireExternal(name: string, debianPackage: string, available: boolean): boolean {
  if (available) return false;
  const message = `${name} is not installed (Debian package: ${debianPackage})`;
  if (process.env.SKIFF_REQUIRE_EXTERNAL === "1") {
    throw new Error(`${message}, and SKIFF_REQUIRE_EXTERNAL=1 requires it: apt-get install ${debianPackage}`);
  }
  process.stderr.write(`skipping: ${message}\n`);
  return true;
}
