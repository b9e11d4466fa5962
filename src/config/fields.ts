import { z } from "zod";
import { DURATION_HINT, parseDuration } from "./duration.js";

/** Field types shared by every section of skiff.yml; each message says what was expected. */

const durationText = z.union([z.string(), z.number()], { error: `expected ${DURATION_HINT}` });

function toMs(value: string | number, ctx: z.core.$RefinementCtx): number {
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `expected ${DURATION_HINT}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
}

/** A duration in milliseconds, `fallback` (e.g. "2s") when absent. */
export const duration = (fallback: string) => durationText.default(fallback).transform(toMs);

/** A duration in milliseconds, or undefined when absent. */
export const optionalDuration = () => durationText.transform(toMs).optional();

export const count = (fallback: number, min: number, max: number) =>
  z
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int({ error: `expected a whole number from ${min} to ${max}` })
    .min(min, { error: `expected a whole number from ${min} to ${max}` })
    .max(max, { error: `expected a whole number from ${min} to ${max}` })
    .default(fallback);

const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;
const PERCENT_HINT = "a percentage like 1% or 0.5%";

/** "1%" → 0.01. A bare number is refused: 1 could mean 1% or 100%. */
export const percent = (fallback: string) =>
  z
    .string({ error: `expected ${PERCENT_HINT}` })
    .default(fallback)
    .transform((text, ctx) => {
      const match = PERCENT.exec(text.trim());
      const value = match ? Number(match[1]) / 100 : Number.NaN;
      if (!(value >= 0 && value <= 1)) {
        ctx.addIssue({ code: "custom", message: `expected ${PERCENT_HINT}, got ${JSON.stringify(text)}` });
        return z.NEVER;
      }
      return value;
    });

export const HOSTNAME =
  /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const hostname = z
  .string()
  .transform((h) => h.toLowerCase())
  .refine((h) => HOSTNAME.test(h), { error: "expected a host name like hello.example.com" });

/** Query parameters that carry credentials; skiff.yml is committed, so they belong in the environment. */
const SECRET_QUERY = /^(token|access_token|auth|key|api_key|apikey|secret|password|pass|sig|signature)$/i;

/**
 * An http(s) URL without credentials in it. Messages never repeat the URL: if it held a secret,
 * the error would leak it into logs.
 */
export const httpUrl = z
  .string({ error: "expected a URL like https://example.com/" })
  .superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "expected a URL like https://example.com/" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `expected an http:// or https:// URL, got ${url.protocol}//` });
    }
    if (url.username || url.password) {
      ctx.addIssue({
        code: "custom",
        message:
          "must not contain a user or password: skiff.yml is committed; name an environment variable instead",
      });
    }
    const secretParam = [...url.searchParams.keys()].find((k) => SECRET_QUERY.test(k));
    if (secretParam) {
      ctx.addIssue({
        code: "custom",
        message: `must not carry the credential parameter "${secretParam}": skiff.yml is committed; name an environment variable instead`,
      });
    }
  });

/** The name of an environment variable that holds a secret, never the secret itself. */
export const envName = z
  .string({ error: "expected the name of an environment variable, like ALERT_SECRET" })
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, {
    error:
      "expected the name of an environment variable (like ALERT_SECRET) that holds the secret, not the secret itself",
  });
