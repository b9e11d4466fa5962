import { existsSync, readFileSync } from "node:fs";

/**
 * Skiff's version, from the package.json at the repository root: one level above dist/ and src/,
 * three above the compiled benchmarks in dist/bench/src/.
 */
function readVersion(): string {
  for (const up of ["../", "../../../"]) {
    const file = new URL(`${up}package.json`, import.meta.url);
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  }
  return "unknown";
}

export const VERSION: string = readVersion();
