import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
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

  const NO_ENGINE =
    "this is a container app (image:/dockerfile:) and the agent has no Docker engine: install docker.io and start dockerd, or set --docker-socket";
  // An engine that is never asked anything: the refusal comes before any call.
  const idleEngine = { docker: {} as Docker, agent: "t" };
  it.each([
    ["image: ghcr.io/me/app:1", undefined, NO_ENGINE],
    ["dockerfile: Dockerfile", undefined, NO_ENGINE],
    ["image: ghcr.io/me/app:1", idleEngine, "r1 has no image recorded; deploy it again"],
  ])(
    "refuses a container app (%s) it cannot run instead of running an empty command",
    async (line, containers, message) => {
      const root = mkdtempSync(join(tmpdir(), "skiff-runtime-"));
      dirs.push(root);
      const dataDir = new DataDir(root);
      dataDir.create();
      const store = new Store(dataDir.db);
      const runtime = new Runtime({
        dataDir,
        store,
        logger: pino({ level: "silent" }),
        ...(containers ? { containers } : {}),
      });
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
    },
  );
});
