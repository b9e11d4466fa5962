/**
 * Tests that need a component from outside the project (chromium, dockerd, pebble, postgresql…) skip
 * with a message naming the Debian package when it is missing, and fail instead under
 * SKIFF_REQUIRE_EXTERNAL=1 (CI sets it, after .ci/run installed everything).
 * Returns true when the test should be skipped.
 */
export function requireExternal(name: string, debianPackage: string, available: boolean): boolean {
  if (available) return false;
  const message = `${name} is not available: install the Debian package ${debianPackage}`;
  if (process.env.SKIFF_REQUIRE_EXTERNAL === "1") throw new Error(`${message} (SKIFF_REQUIRE_EXTERNAL=1)`);
  console.warn(`skipping: ${message}`);
  return true;
}
