import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { redact } from "../alerts/redact.js";
import type { SecretLookup } from "../secrets/secret-store.js";
import type { S3Destination } from "./config.js";

/**
 * Copies in an S3-compatible bucket (AWS, MinIO, Backblaze B2, Cloudflare R2, Garage…) through the AWS
 * SDK v3. Uploads are multipart (lib-storage), so a dump of any size streams from disk in 16 MiB parts.
 * The SDK loads on first use only: an agent without S3 destinations never pays for it.
 */

const PART_SIZE = 16 * 1024 * 1024;

export class S3Error extends Error {}

interface Connected {
  client: S3Client;
  sdk: typeof import("@aws-sdk/client-s3");
  clean: (text: string) => string;
}

async function connect(destination: S3Destination, secrets: SecretLookup, at: string): Promise<Connected> {
  const accessKeyId = secrets(destination.accessKeyIdSecret);
  const secretAccessKey = secrets(destination.secretAccessKeySecret);
  for (const [name, value] of [
    [destination.accessKeyIdSecret, accessKeyId],
    [destination.secretAccessKeySecret, secretAccessKey],
  ] as const) {
    if (!value)
      throw new S3Error(
        `${at}: ${name} is not set in the agent's secret store or environment (skiff secrets set ${name})`,
      );
  }
  // The SDK warns on stderr, once per process, that its releases after January 2027 need Node 22;
  // package-lock.json pins a release that runs on Node 20 (docs/backups.md), and the agent's stderr
  // is for its own JSON log lines.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const sdk = await import("@aws-sdk/client-s3");
  const client = new sdk.S3Client({
    region: destination.region,
    ...(destination.endpoint ? { endpoint: destination.endpoint } : {}),
    forcePathStyle: destination.pathStyle,
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! },
    // Checksums only where S3 requires them: many S3-compatible servers reject the SDK's newer default
    // (trailing CRC32 checksums on every upload).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 4,
  });
  return { client, sdk, clean: (text) => redact(text, [secretAccessKey!]) };
}

function described(destination: S3Destination, key: string): string {
  return `s3://${destination.bucket}/${key}${destination.endpoint ? ` at ${destination.endpoint}` : ""}`;
}

/**
 * Runs `work`, turning SDK errors into one line without secrets. The client is closed afterwards (idle
 * keep-alive sockets would hold the agent open after stop()), unless `open` keeps it for a download.
 */
async function guarded<T>(
  what: string,
  connected: Connected,
  work: () => Promise<T>,
  open = false,
): Promise<T> {
  let failed = false;
  try {
    return await work();
  } catch (error) {
    failed = true;
    const e = error as { name?: string; message?: string };
    throw new S3Error(connected.clean(`${what}: ${e.name ?? "Error"}: ${e.message ?? String(error)}`));
  } finally {
    if (!open || failed) connected.client.destroy();
  }
}

/** Uploads `file` (of `bytes` bytes) to `key`, then checks the stored object's size. */
export async function upload(
  destination: S3Destination,
  key: string,
  file: string,
  bytes: number,
  secrets: SecretLookup,
  at: string,
): Promise<void> {
  const connected = await connect(destination, secrets, at);
  const where = described(destination, key);
  await guarded(`uploading to ${where}`, connected, async () => {
    const { Upload } = await import("@aws-sdk/lib-storage");
    await new Upload({
      client: connected.client,
      params: { Bucket: destination.bucket, Key: key, Body: createReadStream(file), ContentLength: bytes },
      partSize: PART_SIZE,
      queueSize: 2,
    }).done();
    const head = await connected.client.send(
      new connected.sdk.HeadObjectCommand({ Bucket: destination.bucket, Key: key }),
    );
    if (head.ContentLength !== bytes)
      throw new Error(`the stored object has ${head.ContentLength} bytes, ${bytes} were uploaded`);
  });
}

/** The object as a stream; the client is closed when the stream ends. */
export async function download(
  destination: S3Destination,
  key: string,
  secrets: SecretLookup,
  at: string,
): Promise<Readable> {
  const connected = await connect(destination, secrets, at);
  const where = described(destination, key);
  return guarded(
    `downloading ${where}`,
    connected,
    async () => {
      const got = await connected.client.send(
        new connected.sdk.GetObjectCommand({ Bucket: destination.bucket, Key: key }),
      );
      const body = got.Body as Readable;
      body.once("close", () => connected.client.destroy());
      return body;
    },
    true,
  );
}

export async function remove(
  destination: S3Destination,
  key: string,
  secrets: SecretLookup,
  at: string,
): Promise<void> {
  const connected = await connect(destination, secrets, at);
  await guarded(`deleting ${described(destination, key)}`, connected, async () => {
    await connected.client.send(
      new connected.sdk.DeleteObjectCommand({ Bucket: destination.bucket, Key: key }),
    );
  });
}
