import { isAbsolute, normalize } from "node:path";
import { z } from "zod";
import { parseDuration } from "../config/duration.js";
import { httpUrl } from "../config/fields.js";
import { parseSchedule } from "./schedule.js";

/**
 * `backups:` in skiff.yml: one entry per database. Secrets (the PostgreSQL URL, S3 keys, the
 * encryption key) are named, never written: their values are the agent's secrets.
 */

export type BackupSource = { kind: "sqlite"; path: string } | { kind: "postgres"; urlSecret: string };

export interface S3Destination {
  kind: "s3";
  /** Without it, AWS itself. */
  endpoint: string | undefined;
  bucket: string;
  /** Put before `<app>/<env>/<db>/<file>`; "" or ending in "/". */
  prefix: string;
  region: string;
  accessKeyIdSecret: string;
  secretAccessKeySecret: string;
  /** bucket in the path (most S3-compatible servers) rather than in the host name (AWS). */
  pathStyle: boolean;
}

export type Destination = { kind: "local" } | S3Destination;

/** A duration (older backups go, the newest `min` stay) or a count (the newest `count`). */
export type KeepPolicy = { kind: "age"; ms: number; min: number } | { kind: "count"; count: number };

export interface BackupSpec {
  name: string;
  source: BackupSource;
  /** As written (`daily`, `0 3 * * *`); parseSchedule turns it into run times. */
  schedule: string;
  keep: KeepPolicy;
  to: Destination[];
  /** The agent secret holding an age identity (AGE-SECRET-KEY-1…); archives are encrypted with it. */
  encryptionKeySecret: string | undefined;
}

export const DEFAULT_DATABASE = "db";
export const DEFAULT_KEEP = "30d";
/** However short `keep:` is, this many of the newest backups are never pruned by age. */
export const KEEP_AT_LEAST = 7;

export const BACKUP_KNOWN_KEYS: Record<string, string[]> = {
  "backups.*": ["name", "sqlite", "postgres_url_secret", "schedule", "keep", "to", "encryption"],
  "backups.*.to.*": ["local", "s3"],
  "backups.*.to.*.s3": [
    "endpoint",
    "bucket",
    "prefix",
    "region",
    "access_key_id_secret",
    "secret_access_key_secret",
    "path_style",
  ],
  "backups.*.encryption": ["key_secret"],
};

const secretName = (example: string) =>
  z
    .string({ error: `expected the name of an agent secret, like ${example}` })
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, {
      error: `expected the name of an agent secret (like ${example}) that holds the value, not the value itself`,
    });

const sqlitePath = z
  .string({ error: "expected a path inside the app's storage, like data/app.db" })
  .refine((p) => p.trim() !== "" && !isAbsolute(p) && !normalize(p).startsWith(".."), {
    error: "expected a path inside the app's storage (SKIFF_STORAGE_DIR), like data/app.db",
  })
  .transform((p) => normalize(p));

const schedule = z
  .string({ error: "expected `daily` or a cron expression like `0 3 * * *`" })
  .default("daily")
  .superRefine((text, ctx) => {
    const problem = parseSchedule(text).problem;
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const KEEP_HINT = `a duration like 30d (older backups are deleted, the newest ${KEEP_AT_LEAST} always kept) or a count like 14`;

const keep = z
  .union([z.string(), z.number()], { error: `expected ${KEEP_HINT}` })
  .default(DEFAULT_KEEP)
  .transform((value, ctx): KeepPolicy => {
    if (typeof value === "number") {
      if (Number.isInteger(value) && value >= 1) return { kind: "count", count: value };
    } else {
      const ms = parseDuration(value);
      if (ms !== undefined && ms > 0) return { kind: "age", ms, min: KEEP_AT_LEAST };
    }
    ctx.addIssue({ code: "custom", message: `expected ${KEEP_HINT}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  });

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const s3 = z
  .strictObject({
    endpoint: httpUrl.optional(),
    bucket: z.string({ error: "is required: the bucket's name, like my-backups" }).regex(BUCKET, {
      error: "expected a bucket name of 3 to 63 lowercase letters, digits, dots or dashes",
    }),
    prefix: z
      .string({ error: "expected a key prefix like skiff/" })
      .refine((p) => !p.startsWith("/"), { error: "must not start with /" })
      .default(""),
    region: z.string({ error: "expected a region like eu-central-1" }).min(1).default("us-east-1"),
    access_key_id_secret: secretName("S3_ACCESS_KEY_ID").default("AWS_ACCESS_KEY_ID"),
    secret_access_key_secret: secretName("S3_SECRET_ACCESS_KEY").default("AWS_SECRET_ACCESS_KEY"),
    path_style: z.boolean({ error: "expected true or false" }).optional(),
  })
  .transform(
    (s): S3Destination => ({
      kind: "s3",
      endpoint: s.endpoint,
      bucket: s.bucket,
      prefix: s.prefix === "" || s.prefix.endsWith("/") ? s.prefix : `${s.prefix}/`,
      region: s.region,
      accessKeyIdSecret: s.access_key_id_secret,
      secretAccessKeySecret: s.secret_access_key_secret,
      // S3-compatible servers (MinIO, Garage, Ceph) want the bucket in the path; AWS prefers the host.
      pathStyle: s.path_style ?? s.endpoint !== undefined,
    }),
  );

const DESTINATION_HINT = "expected `local` or `s3: { bucket: …, … }`";

// Not a z.union: a union reports "invalid input" for a typo deep inside `s3:`; an object reports the key path.
const destination = z
  .preprocess(
    (value) => (value === "local" ? { local: true } : value),
    z.strictObject({ local: z.literal(true).optional(), s3: s3.optional() }, { error: DESTINATION_HINT }),
  )
  .superRefine((d, ctx) => {
    if ((d.local === undefined) === (d.s3 === undefined))
      ctx.addIssue({ code: "custom", message: DESTINATION_HINT });
  })
  .transform((d): Destination => d.s3 ?? { kind: "local" });

const destinations = z
  .preprocess(
    // One destination may be written without the list; anything else is left for the array's message.
    (value) => (value === undefined ? ["local"] : value === "local" || isObject(value) ? [value] : value),
    z
      .array(destination, { error: "expected `local`, `s3: { bucket: …, … }` or a list of them" })
      .min(1, { error: "expected at least one destination" }),
  )
  .superRefine((list, ctx) => {
    if (list.filter((d) => d.kind === "local").length > 1)
      ctx.addIssue({ code: "custom", message: "lists local twice" });
  });

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const entry = z
  .strictObject({
    name: z
      .string({ error: "expected a short name like db" })
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, {
        error: "expected 1 to 40 lowercase letters, digits, dashes or underscores",
      })
      .default(DEFAULT_DATABASE),
    sqlite: sqlitePath.optional(),
    postgres_url_secret: secretName("DATABASE_URL").optional(),
    schedule,
    keep,
    to: destinations,
    encryption: z.strictObject({ key_secret: secretName("BACKUP_KEY") }).optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.sqlite === undefined) === (b.postgres_url_secret === undefined)) {
      ctx.addIssue({
        code: "custom",
        message:
          b.sqlite === undefined
            ? "needs `sqlite: PATH` or `postgres_url_secret: NAME` (which database to back up)"
            : "has both sqlite: and postgres_url_secret:; one database per entry",
      });
    }
  })
  .transform(
    (b): BackupSpec => ({
      name: b.name,
      source:
        b.sqlite !== undefined
          ? { kind: "sqlite", path: b.sqlite }
          : { kind: "postgres", urlSecret: b.postgres_url_secret! },
      schedule: b.schedule,
      keep: b.keep,
      to: b.to,
      encryptionKeySecret: b.encryption?.key_secret,
    }),
  );

export const backupsSchema = z
  .array(entry, { error: "expected a list of databases (- sqlite: data/app.db)" })
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((b, i) => {
      const first = seen.get(b.name);
      if (first === undefined) seen.set(b.name, i);
      else
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `"${b.name}" is already the name of backups.${first}; give each database its own name:`,
        });
    });
  });

/** The agent secrets a spec needs, each with the key that names it, for "not set" messages. */
export function backupSecrets(spec: BackupSpec, index: number): Array<{ field: string; name: string }> {
  const at = `backups.${index}`;
  const needed: Array<{ field: string; name: string }> = [];
  if (spec.source.kind === "postgres")
    needed.push({ field: `${at}.postgres_url_secret`, name: spec.source.urlSecret });
  spec.to.forEach((d, j) => {
    if (d.kind !== "s3") return;
    needed.push({ field: `${at}.to.${j}.s3.access_key_id_secret`, name: d.accessKeyIdSecret });
    needed.push({ field: `${at}.to.${j}.s3.secret_access_key_secret`, name: d.secretAccessKeySecret });
  });
  if (spec.encryptionKeySecret)
    needed.push({ field: `${at}.encryption.key_secret`, name: spec.encryptionKeySecret });
  return needed;
}
