import { describe, expect, it } from "vitest";
import { HeadError, parseRequestHead, parseResponseHead } from "./head.js";

const request = (...lines: string[]) => lines.join("\r\n");

describe("parseRequestHead", () => {
  it.each([
    ["GET without a body", request("GET /a?b=1 HTTP/1.1", "Host: x"), { kind: "none" }, true],
    [
      "POST with a length",
      request("POST / HTTP/1.1", "Host: x", "Content-Length: 5"),
      { kind: "length", length: 5 },
      true,
    ],
    [
      "zero length is no body",
      request("POST / HTTP/1.1", "Host: x", "Content-Length: 0"),
      { kind: "none" },
      true,
    ],
    [
      "chunked",
      request("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: Chunked"),
      { kind: "chunked" },
      true,
    ],
    [
      "repeated equal lengths",
      request("PUT / HTTP/1.1", "Host: x", "Content-Length: 3", "content-length: 3"),
      { kind: "length", length: 3 },
      true,
    ],
    [
      "1.1 asking to close",
      request("GET / HTTP/1.1", "Host: x", "Connection: close"),
      { kind: "none" },
      false,
    ],
    ["1.0 without keep-alive", request("GET / HTTP/1.0"), { kind: "none" }, false],
    ["1.0 with keep-alive", request("GET / HTTP/1.0", "Connection: Keep-Alive"), { kind: "none" }, true],
  ])("%s", (_name, head, body, keepAlive) => {
    const parsed = parseRequestHead(head);
    expect(parsed.body).toEqual(body);
    expect(parsed.keepAlive).toBe(keepAlive);
  });

  it("keeps names as sent, values without surrounding spaces, and notes upgrade, expect and host", () => {
    const parsed = parseRequestHead(
      request(
        "GET /ws HTTP/1.1",
        "Host: app.test",
        "X-Thing: \t a b \t",
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Expect: 100-continue",
      ),
    );
    expect(parsed).toMatchObject({
      method: "GET",
      target: "/ws",
      minor: 1,
      host: "app.test",
      upgrade: true,
      expectContinue: true,
    });
    expect(parsed.fields.names[1]).toBe("X-Thing");
    expect(parsed.fields.lower[1]).toBe("x-thing");
    expect(parsed.fields.values[1]).toBe("a b");
    expect([...parsed.fields.connection]).toEqual(["upgrade"]);
  });

  it.each([
    [
      "length and chunked",
      request("POST / HTTP/1.1", "Host: x", "Content-Length: 5", "Transfer-Encoding: chunked"),
      400,
    ],
    [
      "two different lengths",
      request("POST / HTTP/1.1", "Host: x", "Content-Length: 5", "Content-Length: 6"),
      400,
    ],
    ["a length that is not a number", request("POST / HTTP/1.1", "Host: x", "Content-Length: 5, 5"), 400],
    ["a negative length", request("POST / HTTP/1.1", "Host: x", "Content-Length: -1"), 400],
    [
      "a transfer coding we do not forward",
      request("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: gzip, chunked"),
      501,
    ],
    ["a folded header line", request("GET / HTTP/1.1", "Host: x", "X-A: 1", " continued"), 400],
    ["space before the colon", request("GET / HTTP/1.1", "Host: x", "X-A : 1"), 400],
    ["a bare CR in a value", request("GET / HTTP/1.1", "Host: x", "X-A: 1\r2"), 400],
    ["a bare LF in a value", request("GET / HTTP/1.1", "Host: x", "X-A: 1\n2"), 400],
    ["HTTP/1.1 without Host", request("GET / HTTP/1.1", "X-A: 1"), 400],
    ["two Host headers", request("GET / HTTP/1.1", "Host: a", "Host: b"), 400],
    ["a space in the target", request("GET /a b HTTP/1.1", "Host: x"), 400],
    ["a method that is not a token", request("G(T / HTTP/1.1", "Host: x"), 400],
    ["HTTP/2.0", request("GET / HTTP/2.0", "Host: x"), 505],
    ["no version", request("GET /", "Host: x"), 400],
    ["a lowercase version", request("GET / http/1.1", "Host: x"), 400],
  ])("refuses %s with %i", (_name, head, status) => {
    expect(() => parseRequestHead(head)).toThrow(HeadError);
    expect(() => parseRequestHead(head)).toThrow(expect.objectContaining({ status }));
  });
});

describe("parseResponseHead", () => {
  it.each([
    ["a length", "HTTP/1.1 200 OK\r\nContent-Length: 12", "GET", { kind: "length", length: 12 }, true],
    ["chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", "GET", { kind: "chunked" }, true],
    ["no framing: until close", "HTTP/1.1 200 OK\r\nX-A: 1", "GET", { kind: "close" }, false],
    ["an answer to HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 12", "HEAD", { kind: "none" }, true],
    ["204", "HTTP/1.1 204 No Content", "GET", { kind: "none" }, true],
    ["304 with a length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 50", "GET", { kind: "none" }, true],
    ["1xx", "HTTP/1.1 103 Early Hints\r\nLink: </a.css>", "GET", { kind: "none" }, true],
    ["an empty reason", "HTTP/1.1 200 \r\nContent-Length: 0", "GET", { kind: "none" }, true],
    ["no reason at all", "HTTP/1.1 200\r\nContent-Length: 0", "GET", { kind: "none" }, true],
    [
      "the app closing",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close",
      "GET",
      { kind: "length", length: 1 },
      false,
    ],
    [
      "1.0 without keep-alive",
      "HTTP/1.0 200 OK\r\nContent-Length: 1",
      "GET",
      { kind: "length", length: 1 },
      false,
    ],
    [
      "1.0 with keep-alive",
      "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive",
      "GET",
      { kind: "length", length: 1 },
      true,
    ],
  ])("%s", (_name, head, method, body, keepAlive) => {
    const parsed = parseResponseHead(head, method);
    expect(parsed.body).toEqual(body);
    expect(parsed.keepAlive).toBe(keepAlive);
  });

  it("reads the status, the reason and the app's keep-alive timeout", () => {
    const parsed = parseResponseHead(
      "HTTP/1.1 404 Not Found\r\nKeep-Alive: timeout=5\r\nContent-Length: 0",
      "GET",
    );
    expect(parsed).toMatchObject({ status: 404, reason: "Not Found", keepAliveMs: 5000 });
    expect(parseResponseHead("HTTP/1.1 200 OK\r\nContent-Length: 0", "GET").keepAliveMs).toBeUndefined();
  });

  it.each([
    ["a garbled status line", "HTTP/1.1 2OO OK"],
    ["a status below 100", "HTTP/1.1 099 Low"],
    ["HTTP/2", "HTTP/2 200 OK"],
    ["length and chunked", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked"],
    ["two different lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2"],
    ["a transfer coding other than chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip"],
    ["a control character in a header", "HTTP/1.1 200 OK\r\nX-A: a\u0001b"],
  ])("refuses %s with 502", (_name, head) => {
    expect(() => parseResponseHead(head, "GET")).toThrow(expect.objectContaining({ status: 502 }));
  });
});
