import { describe, expect, it } from "vitest";
import { HeadError } from "./head.js";
import { RequestReader } from "./request-reader.js";

/** A reader recording what it reports, as `head /path`, `data …`, `end`. */
function recorder() {
  const events: string[] = [];
  const reader = new RequestReader({
    head: (head) => events.push(`head ${head.target}`),
    data: (data) => events.push(`data ${data.toString("latin1")}`),
    end: () => events.push("end"),
  });
  const feed = (text: string) => reader.feed(Buffer.from(text, "latin1"));
  return { reader, events, feed };
}

describe("RequestReader", () => {
  it("skips an empty line before a request even when its CR and LF come in different reads", () => {
    const { events, feed } = recorder();
    feed("\r");
    feed("\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(events).toEqual(["head /a", "end"]);
  });

  it("refuses a bare CR before the request line", () => {
    const { feed } = recorder();
    feed("\r");
    expect(() => feed("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")).toThrow(HeadError);
  });

  it("reads the body that came in the same read as an Upgrade head, and keeps what follows for a tunnel", () => {
    const { reader, events, feed } = recorder();
    feed(
      "PUT /url HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nContent-Length: 4\r\nUpgrade: ws\r\n\r\nabcdefgh",
    );
    expect(events).toEqual(["head /url", "data abcd", "end"]);
    expect(reader.takeRest().toString()).toBe("efgh");
  });

  it.each([
    ["LF-only line endings", ["GET / HTTP/1.1\nHost: x\n"]],
    ["one line ended by LF alone", ["GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n"]],
    ["a bare LF in the next read", ["GET / HTTP/1.1\r\nHost: x\r\nX-A: 1", "\n"]],
  ])("refuses %s before the head is complete (400, not a wait for the head timeout)", (_name, reads) => {
    const { feed } = recorder();
    expect(() => {
      for (const read of reads) feed(read);
    }).toThrow(expect.objectContaining({ status: 400 }));
  });

  it("says a pipelined head has begun once the request before it is answered", () => {
    const { reader, events, feed } = recorder();
    feed("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHo");
    expect(events).toEqual(["head /1", "end"]);
    expect(reader.midHead).toBe(false);
    reader.resume();
    expect(reader.midHead).toBe(true);
  });
});
