import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // End-to-end tests start agents, apps and CLI processes; on a loaded 2-core machine that takes time.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Integration tests start real agents and app processes; two cores, so keep it to two files at once.
    maxWorkers: 2,
  },
});
