import type { Context } from "hono";
import { z } from "zod";
import { parseDuration } from "../config/duration.js";
import { UsageError } from "../errors.js";

/**
 * What a route reads from a request, checked with zod: a bad value is a 400 (exit 2) naming the field
 * and saying what was expected, never a 500 from deeper down. Schemas live with their routes; the
 * field builders below keep the messages alike.
 */

const APP_NAME = /^[a-z0-9-]{1,40}$/;

/** The `:app` of the path. */
export function appParam(c: Context): string {
  const app = c.req.param("app") ?? "";
  if (!APP_NAME.test(app))
    throw new UsageError(
      `app name ${JSON.stringify(app)}: expected 1 to 40 lowercase letters, digits or dashes`,
    );
  return app;
}

/** The query values `schema` names (the others are ignored). */
export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return checked(schema, c.req.query());
}

/** The JSON body; a request without one (or with something else) counts as `{}`. */
export async function bodyOf<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const raw: unknown = await c.req.json().catch(() => ({}));
  return checked(schema, raw);
}

/** `value` by `schema`, or a UsageError naming each bad field (after `where`, when it is in a header). */
export function checked<S extends z.ZodType>(schema: S, value: unknown, where?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => {
    const path = [where, issue.path.join(".")].filter(Boolean).join(": ");
    return `${path || "the body"}: ${issue.message}`;
  });
  throw new UsageError(fields.join("; "));
}

/** A query count like `?limit=20`: a whole number from `min`, `fallback` when absent. */
export function wholeNumber(min: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return fallback;
      const n = Number(text);
      if (/^\d+$/.test(text) && Number.isSafeInteger(n) && n >= min) return n;
      ctx.addIssue({
        code: "custom",
        message: `expected a whole number of at least ${min}, got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    });
}

/** A query duration like `?since=30d`, more than zero and at most `maxMs`; `fallback` when absent. */
export function queryDuration(fallback: string, maxMs: number, maxText: string) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms !== undefined && ms > 0 && ms <= maxMs) return ms;
      ctx.addIssue({
        code: "custom",
        message: `expected a duration like 30d, 12h or 90m, up to ${maxText}, got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    });
}

/** A query switch like `?wait=1`: on only when it is `1`. */
export const querySwitch = z
  .string()
  .optional()
  .transform((text) => text === "1");

/** A body string field, with what the field should hold when it is not one. */
export function text(expected: string) {
  return z.string({ error: `expected ${expected}` }).min(1, { error: `expected ${expected}` });
}
