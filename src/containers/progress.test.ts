import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { EngineStreamError, followProgress, ProgressParser } from "./progress.js";

describe("ProgressParser", () => {
  it("joins lines split across chunks and keeps a partial line for the next", () => {
    const parser = new ProgressParser();
    expect(parser.push('{"stream":"Step 1/2"}\n{"stre')).toEqual([{ stream: "Step 1/2" }]);
    expect(parser.push('am":" ---> abc\\n"}\n')).toEqual([{ stream: " ---> abc\n" }]);
    expect(parser.push('{"aux":{"ID":"sha256:1"}}')).toEqual([]);
    expect(parser.end()).toEqual([{ aux: { ID: "sha256:1" } }]);
  });

  it("keeps text that is not JSON as a stream line", () => {
    expect(new ProgressParser().push("plain text\n")).toEqual([{ stream: "plain text\n" }]);
  });
});

describe("followProgress", () => {
  it("resolves with every message when the stream ends cleanly", async () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    const done = followProgress(stream, (m) => seen.push(m.status ?? m.stream ?? ""));
    stream.end('{"status":"Pulling fs layer","id":"a1"}\n{"status":"Digest: sha256:x"}\n');
    expect(await done).toHaveLength(2);
    expect(seen).toEqual(["Pulling fs layer", "Digest: sha256:x"]);
  });

  it("rejects with the engine's message when one carries an error", async () => {
    const stream = new PassThrough();
    const done = followProgress(stream, () => {});
    stream.end(
      '{"stream":"Step 2/2 : RUN exit 3"}\n{"errorDetail":{"code":3,"message":"The command \'/bin/sh -c exit 3\' returned a non-zero code: 3"},"error":"The command \'/bin/sh -c exit 3\' returned a non-zero code: 3"}\n',
    );
    await expect(done).rejects.toThrow(EngineStreamError);
    await expect(done).rejects.toThrow("returned a non-zero code: 3");
  });
});
