import { createWriteStream } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { UsageError } from "../errors.js";

/** An upload past the agent's limit (`--max-upload`); the API answers 413. */
export class UploadTooLargeError extends UsageError {
  constructor(readonly limit: number) {
    super(`the upload is larger than the agent's limit of ${limit} bytes`);
  }
}

/**
 * Writes a tarball to `file`: a request body as it streams in, stopping (and deleting the file) as
 * soon as it passes `limit` bytes, or bytes already in memory (a push's `git archive`). Resolves to
 * its size.
 */
export async function saveUpload(
  body: ReadableStream<Uint8Array> | Uint8Array | null,
  file: string,
  limit: number,
): Promise<number> {
  if (!body) throw new UsageError("the request has no body: expected the app's .tar.gz");
  if (body instanceof Uint8Array) {
    if (body.length > limit) throw new UploadTooLargeError(limit);
    await writeFile(file, body).catch(async (error) => {
      await rm(file, { force: true });
      throw error;
    });
    return body.length;
  }
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
