import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { documentOf } from "./views/layout.js";

/** Sends a page. Every dashboard answer also gets the security headers (auth.ts). */
export function render(c: Context, page: Child, status: ContentfulStatusCode = 200): Response {
  return c.html(documentOf(page), status);
}

const APP_NAME = /^[a-z0-9-]{1,40}$/;

/** An app name from the path, or undefined when it cannot be one (the same rule as skiff.yml's app:). */
export function appName(value: string | undefined): string | undefined {
  return value !== undefined && APP_NAME.test(value) ? value : undefined;
}
