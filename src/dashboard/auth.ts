import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { DashboardEnv } from "./deps.js";
import { LoginLimiter } from "./login-limiter.js";
import { LoginLinks } from "./login-link.js";
import { Sessions } from "./sessions.js";
import type { DashboardSettings } from "./settings.js";

export const BASE = "/dashboard";
export const SESSION_COOKIE = "skiff_session";
/** The login form's own CSRF token (double submit: this cookie and a hidden field must match). */
export const LOGIN_COOKIE = "skiff_login";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** The dashboard's credentials: one-time links, sessions, and the brake on guessing the token. */
export class DashboardAuth {
  readonly links: LoginLinks;
  readonly sessions: Sessions;
  readonly limiter = new LoginLimiter();

  constructor(readonly settings: DashboardSettings) {
    this.links = new LoginLinks(settings.linkTtlMs, settings.now);
    this.sessions = new Sessions(
      { idleMs: settings.sessionIdleMs, maxAgeMs: settings.sessionMaxAgeMs },
      settings.now,
    );
  }

  /** Starts a session and sets its cookie: HttpOnly, SameSite=Strict, Secure over TLS, path /dashboard. */
  startSession(c: Context, via: "link" | "token"): void {
    const { id } = this.sessions.create(via);
    setCookie(c, SESSION_COOKIE, id, {
      path: BASE,
      httpOnly: true,
      sameSite: "Strict",
      secure: overTls(c),
      maxAge: Math.floor(this.settings.sessionMaxAgeMs / 1000),
    });
  }

  endSession(c: Context): void {
    this.sessions.end(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: BASE, secure: overTls(c) });
  }

  /** The login form's CSRF token, set as a cookie scoped to the login path. */
  loginToken(c: Context): string {
    const token = randomBytes(24).toString("base64url");
    setCookie(c, LOGIN_COOKIE, token, {
      path: `${BASE}/login`,
      httpOnly: true,
      sameSite: "Strict",
      secure: overTls(c),
      maxAge: 3600,
    });
    return token;
  }
}

/**
 * Every dashboard answer: no framing, no referrer to other sites (a login link must not leak through
 * one; same-origin, not no-referrer, because with no-referrer browsers send `Origin: null` on form
 * posts, which the CSRF check refuses), nothing loaded from anywhere but the agent, no inline script
 * or style.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header(
    "content-security-policy",
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  c.header("x-frame-options", "DENY");
  c.header("referrer-policy", "same-origin");
  c.header("x-content-type-options", "nosniff");
  if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
};

/**
 * How long the agent took to answer (wall time) and how much CPU it spent doing so (which a loaded
 * machine does not inflate), for the browser's developer tools and bench/dashboard.ts.
 */
export const serverTiming: MiddlewareHandler = async (c, next) => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await next();
  const used = process.cpuUsage(cpu);
  const wall = (performance.now() - started).toFixed(1);
  c.header("server-timing", `app;dur=${wall}, cpu;dur=${((used.user + used.system) / 1000).toFixed(1)}`);
};

/**
 * Lets a request through only with a live session. A browser asking for a page is sent to the login
 * form (and back here after it); anything else (a stream, a form post, a script) gets 401.
 */
export function requireSession(auth: DashboardAuth): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const id = getCookie(c, SESSION_COOKIE);
    const session = auth.sessions.get(id);
    if (!session || !id) {
      if (c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html")) {
        const url = new URL(c.req.url);
        return c.redirect(`${BASE}/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      return c.text("log in to the dashboard first", 401);
    }
    c.set("session", session);
    c.set("sessionId", id);
    await next();
  };
}

/**
 * Every state-changing request carries the session's CSRF token (form field or header) and, when the
 * browser says where it comes from, comes from the dashboard's own origin. SameSite=Strict already
 * keeps the cookie off cross-site requests; this holds even where it does not.
 */
export function requireCsrf(): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    if (!sameOrigin(c)) return c.text("refused: the request did not come from the dashboard", 403);
    const presented = c.req.header(CSRF_HEADER) ?? (await formField(c, CSRF_FIELD));
    if (!equal(presented, c.get("session").csrf)) {
      return c.text("refused: missing or wrong CSRF token (reload the page and try again)", 403);
    }
    await next();
  };
}

/** Sec-Fetch-Site and Origin, where the browser sends them, must name this origin. */
export function sameOrigin(c: Context): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === c.req.header("host");
  } catch {
    return false;
  }
}

export async function formField(c: Context, name: string): Promise<string | undefined> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded") && !type.includes("multipart/form-data"))
    return undefined;
  const value = (await c.req.parseBody())[name];
  return typeof value === "string" ? value : undefined;
}

export function equal(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** TLS on the socket, or a TLS-terminating proxy in front saying so. */
export function overTls(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

/** The client's address, what login attempts are limited by. */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}

/** Only a path inside the dashboard, so `next` cannot send anyone elsewhere after login. */
export function safeNext(next: string | undefined): string {
  if (next === undefined || !next.startsWith(BASE) || /[\\\s]/.test(next)) return BASE;
  const rest = next.slice(BASE.length);
  return rest === "" || rest.startsWith("/") || rest.startsWith("?") ? next : BASE;
}
