import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { tokenMatches } from "../agent/auth.js";
import {
  clientAddress,
  type DashboardAuth,
  equal,
  formField,
  LOGIN_COOKIE,
  requireCsrf,
  requireSession,
  SESSION_COOKIE,
  safeNext,
} from "./auth.js";
import type { DashboardEnv } from "./deps.js";
import { render } from "./render.js";
import { LoggedInPage, LoginPage } from "./views/login.js";

const LINK_REFUSED = {
  malformed: "This login link is not valid.",
  forged: "This login link is not valid.",
  expired: "This login link has expired.",
  used: "This login link was already used: each works once.",
} as const;

/**
 * GET /login (the form, or a one-time link), POST /login (the API token), POST /logout. The order of
 * checks on a token login: the form's own CSRF token, then the limiter (a locked address is refused
 * before the token is compared), then the token.
 */
export function loginRoutes(auth: DashboardAuth, token: string): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();

  app.get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    const link = c.req.query("link");
    if (link !== undefined) {
      const check = auth.links.redeem(link);
      if (!check.ok) {
        const message = `${LINK_REFUSED[check.reason]} Run \`skiff dashboard\` for a new one.`;
        return render(c, <LoginPage loginCsrf={auth.loginToken(c)} next={next} message={message} />, 401);
      }
      auth.startSession(c, "link");
      return render(c, <LoggedInPage next={next} />);
    }
    if (auth.sessions.get(getCookie(c, SESSION_COOKIE))) return c.redirect(next, 303);
    return render(c, <LoginPage loginCsrf={auth.loginToken(c)} next={next} />);
  });

  app.post("/login", async (c) => {
    const next = safeNext(await formField(c, "next"));
    const cookie = getCookie(c, LOGIN_COOKIE);
    if (cookie === undefined || !equal(await formField(c, "_csrf"), cookie)) {
      const message = "The login form expired or came from elsewhere: try again.";
      return render(c, <LoginPage loginCsrf={auth.loginToken(c)} next={next} message={message} />, 403);
    }
    const address = clientAddress(c);
    const now = auth.settings.now();
    const limit = auth.limiter.check(address, now);
    if (!limit.ok) {
      const seconds = Math.ceil(limit.retryAfterMs / 1000);
      c.header("retry-after", String(seconds));
      const message = `Too many wrong tokens: wait ${seconds}s before trying again, or use \`skiff dashboard\`.`;
      return render(c, <LoginPage loginCsrf={auth.loginToken(c)} next={next} message={message} />, 429);
    }
    if (!tokenMatches(await formField(c, "token"), token)) {
      auth.limiter.failed(address, now);
      return render(c, <LoginPage loginCsrf={auth.loginToken(c)} next={next} message="Wrong token." />, 401);
    }
    auth.limiter.succeeded(address);
    auth.startSession(c, "token");
    return c.redirect(next, 303);
  });

  app.post("/logout", requireSession(auth), requireCsrf(), (c) => {
    auth.endSession(c);
    return c.redirect("/dashboard/login", 303);
  });

  return app;
}
