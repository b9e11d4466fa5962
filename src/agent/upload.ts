import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

export class UploadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the upload is larger than the agent's limit of ${limit} bytes`);
  }
}

/** Streams a request body to `file`, stopping (and deleting the file) as soon as it passes `limit` bytes. */
export async function saveUpload(
  body: ReadableStream<Uint8Array> | null,
  file: string,
  limit: number,
): Promise<number> {
  if (!body) throw new Error("the request has no body");
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(bytes > limit ? new UploadTooLargeError(limit) : null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), counter, createWriteStream(file));
    return bytes;
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}
