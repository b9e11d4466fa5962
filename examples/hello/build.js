// The build step of the example: writes a file the server reads, to show that `build:` runs before start.
import { mkdirSync, writeFileSync } from "node:fs";

mkdirSync(new URL("./build/", import.meta.url), { recursive: true });
writeFileSync(new URL("./build/built-at.txt", import.meta.url), `${new Date().toISOString()}\n`);
