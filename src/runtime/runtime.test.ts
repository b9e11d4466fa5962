import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { DataDir } from "../store/data-dir.js";
import { Store } from "../store/store.js";
import { Runtime } from "./runtime.js";

describe("Runtime.launch", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [
      "image: ghcr.io/me/app:1",
      "image: container apps cannot be deployed by this agent yet; use start: for now",
    ],
    [
      "dockerfile: Dockerfile",
      "dockerfile: container apps cannot be deployed by this agent yet; use start: for now",
    ],
  ])("refuses a container app (%s) instead of running an empty command", async (line, message) => {
    const root = mkdtempSync(join(tmpdir(), "skiff-runtime-"));
    dirs.push(root);
    const dataDir = new DataDir(root);
    dataDir.create();
    const store = new Store(dataDir.db);
    const runtime = new Runtime({ dataDir, store, logger: pino({ level: "silent" }) });
    try {
      await expect(
        runtime.launch({
          app: "hello",
          env: "production",
          artifact: "r1",
          config: parseAppConfig(`app: hello\n${line}\n`),
        }),
      ).rejects.toThrow(message);
      expect(store.instances.running()).toEqual([]);
    } finally {
      await runtime.stop();
      store.db.close();
    }
  });
});
