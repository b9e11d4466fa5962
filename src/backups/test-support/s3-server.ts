import S3rver from "@20minutes/s3rver";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

/**
 * An S3-compatible server for tests: s3rver (the maintained @20minutes fork, pure JavaScript, files in a
 * temp dir), on a free port on 127.0.0.1. Its signature check disagrees with the current AWS SDK on
 * bucket-level requests (ListObjectsV2, DeleteObjects: it signs `/bucket` where the SDK signs
 * `/bucket/`), so it is told to accept mismatched signatures; the access key id is still checked
 * (s3rver knows one account, S3RVER/S3RVER).
 */
export interface S3Fake {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Keys under `prefix`, sorted. */
  keys(prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startS3(dir: string, bucket = "backups"): Promise<S3Fake> {
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
    allowMismatchedSignatures: true,
  });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  return {
    endpoint,
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    keys: async (prefix = "") => {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    },
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
