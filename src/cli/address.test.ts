import { describe, expect, it } from "vitest";
import { parseHostPort } from "./address.js";

describe("parseHostPort", () => {
  it.each([
    ["0.0.0.0:8080", { host: "0.0.0.0", port: 8080 }],
    ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }],
    ["[::1]:7070", { host: "::1", port: 7070 }],
    [":80", { host: "0.0.0.0", port: 80 }],
    ["localhost:3000", { host: "localhost", port: 3000 }],
  ])("%s", (value, expected) => expect(parseHostPort("--listen", value)).toEqual(expected));

  it.each(["8080", "host:", "host:99999", "::1:80", "a:b"])("refuses %j naming the flag", (value) => {
    expect(() => parseHostPort("--api", value)).toThrow(`--api ${value}: expected HOST:PORT`);
  });
});
