import { describe, expect, it } from "vitest";
import { exitStatus, spawnFailureStatus } from "../runtime/exit-status.js";
import { redactArgv } from "./redact.js";

describe("redactArgv", () => {
  const secrets = { DATABASE_URL: "postgres://u:hunter22@db/app", PASSWORD: "hunter22", SHORT: "on" };

  it.each([
    [
      ["psql", "postgres://u:hunter22@db/app"],
      ["psql", "[secret DATABASE_URL]"],
    ],
    [
      ["login", "--password=hunter22"],
      ["login", "--password=[secret PASSWORD]"],
    ],
    [
      ["echo", "on", "online"],
      ["echo", "on", "online"],
    ],
    [
      ["node", "-e", "1"],
      ["node", "-e", "1"],
    ],
  ])("%j is recorded as %j", (argv, recorded) => {
    expect(redactArgv(argv, secrets)).toEqual(recorded);
  });
});

describe("exit statuses", () => {
  it.each([
    [0, null, 0],
    [7, null, 7],
    [null, "SIGINT", 130],
    [null, "SIGKILL", 137],
    [null, "SIGTERM", 143],
  ] as const)("code %s signal %s is %s", (code, signal, status) => {
    expect(exitStatus(code, signal)).toBe(status);
  });

  it("127 for no such program, 126 for one that cannot run", () => {
    expect(spawnFailureStatus("ENOENT")).toBe(127);
    expect(spawnFailureStatus("EACCES")).toBe(126);
  });
});
