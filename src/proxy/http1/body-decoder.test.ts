import { describe, expect, it } from "vitest";
import { BodyDecoder, BodyError } from "./body-decoder.js";
import type { Framing } from "./head.js";

/** Feeds `wire` cut into pieces at `cuts`; returns the payload, whether it ended, and the bytes left over. */
function decode(
  framing: Framing,
  wire: string,
  cuts: number[] = [],
): { body: string; done: boolean; rest: string } {
  const decoder = new BodyDecoder(framing);
  const bytes = Buffer.from(wire, "latin1");
  const edges = [0, ...cuts, bytes.length];
  let body = "";
  let rest = "";
  for (let i = 0; i + 1 < edges.length; i++) {
    const piece = bytes.subarray(edges[i], edges[i + 1]);
    if (decoder.done) {
      rest += piece.toString("latin1");
      continue;
    }
    const end = decoder.decode(piece, 0, (data) => {
      body += data.toString("latin1");
    });
    rest += piece.subarray(end).toString("latin1");
  }
  return { body, done: decoder.done, rest };
}

const CHUNKED: Framing = { kind: "chunked" };
const WIRE = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\nGET /next";

describe("BodyDecoder", () => {
  it("removes chunked framing, drops trailers and stops where the next message starts, however the bytes are cut", () => {
    for (let cut = 0; cut <= WIRE.length; cut++) {
      expect(decode(CHUNKED, WIRE, [cut])).toEqual({ body: "hello, world", done: true, rest: "GET /next" });
    }
    const everyByte = Array.from({ length: WIRE.length - 1 }, (_, i) => i + 1);
    expect(decode(CHUNKED, WIRE, everyByte)).toEqual({ body: "hello, world", done: true, rest: "GET /next" });
  });

  it("reads exactly Content-Length bytes", () => {
    expect(decode({ kind: "length", length: 5 }, "helloGET", [2])).toEqual({
      body: "hello",
      done: true,
      rest: "GET",
    });
    expect(decode({ kind: "length", length: 5 }, "hel")).toEqual({ body: "hel", done: false, rest: "" });
  });

  it("passes everything on for a close-delimited body and never ends by itself", () => {
    expect(decode({ kind: "close" }, "all of it", [3])).toEqual({ body: "all of it", done: false, rest: "" });
  });

  it("is done at once without a body", () => {
    expect(decode({ kind: "none" }, "GET /")).toEqual({ body: "", done: true, rest: "GET /" });
  });

  it.each([
    ["a size that is not hex", "zz\r\nhello\r\n0\r\n\r\n"],
    ["a size with a space", "5 \r\nhello\r\n0\r\n\r\n"],
    ["data longer than its size", "3\r\nhello\r\n0\r\n\r\n"],
    ["a size line ended by LF only", "5\nhello\r\n0\r\n\r\n"],
    ["a size line too long", `${"0".repeat(5000)}5\r\n`],
    // llhttp's "No extension after semicolon" and "Unbalanced chunk extensions quoting".
    ["an empty chunk extension", "2;\r\naa\r\n0\r\n\r\n"],
    ["an extension without a semicolon", "2 erfrferferf\r\naa\r\n0\r\n\r\n"],
    ["an unclosed quote in an extension", '5;a="abc";b="def; ghi\r\nhello\r\n0\r\n\r\n'],
  ])("refuses %s", (_name, wire) => {
    expect(() => decode(CHUNKED, wire)).toThrow(BodyError);
  });

  it.each([
    ["names only", "5;ilovew3;somuchlove\r\nhello\r\n0\r\n\r\n"],
    ["names and values", "5;a=b;c=d\r\nhello\r\n0\r\n\r\n"],
    ["quoted values with escapes", '5;a="I \\"love\\"; \\\\ext";b="x";c\r\nhello\r\n0\r\n\r\n'],
    ["whitespace around ; and =", "5 ; a = b\r\nhello\r\n0\r\n\r\n"],
  ])("accepts chunk extensions: %s (and drops them)", (_name, wire) => {
    expect(decode(CHUNKED, wire)).toEqual({ body: "hello", done: true, rest: "" });
  });
});
