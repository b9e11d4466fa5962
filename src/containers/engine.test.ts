import { describe, expect, it } from "vitest";
import { engineErrorMessage, idempotent } from "./engine.js";

describe("engineErrorMessage", () => {
  it.each([
    [{ statusCode: 404, json: { message: "No such image: app:1" } }, "No such image: app:1"],
    [{ code: "ENOENT" }, "the Docker engine is not running (ENOENT); start dockerd or set DOCKER_HOST"],
    [
      { code: "ECONNREFUSED" },
      "the Docker engine is not running (ECONNREFUSED); start dockerd or set DOCKER_HOST",
    ],
    [{ code: "EACCES" }, "no permission to use the Docker socket (EACCES)"],
    [{ statusCode: 500, reason: "server error", json: null }, "server error (HTTP 500)"],
    [new Error("socket hang up"), "socket hang up"],
  ])("%j → %s", (error, message) => expect(engineErrorMessage(error)).toBe(message));
});

describe("idempotent", () => {
  it("treats 304 and 404 as done and rethrows anything else", async () => {
    expect(await idempotent(() => Promise.reject({ statusCode: 304 }))).toBeUndefined();
    expect(await idempotent(() => Promise.reject({ statusCode: 404 }))).toBeUndefined();
    expect(await idempotent(() => Promise.resolve(7))).toBe(7);
    await expect(idempotent(() => Promise.reject({ statusCode: 500 }))).rejects.toEqual({ statusCode: 500 });
  });
});
