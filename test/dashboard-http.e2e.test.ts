import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Agent } from "../src/agent/agent.js";
import { AgentClient } from "../src/cli/client.js";
import { DashboardAuth } from "../src/dashboard/auth.js";
import { dashboardRoutes, type LoginLinkResponse } from "../src/dashboard/dashboard.js";
import type { DashboardDeps } from "../src/dashboard/deps.js";
import { FREE_FAILURES } from "../src/dashboard/login-limiter.js";
import { DEFAULT_SETTINGS } from "../src/dashboard/settings.js";
import { deploy, version } from "./support/agent.js";
import { createAppRepo, setBehaviour } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

// The dashboard's locks tried from outside, over plain HTTP against a real agent.
const tempDir = useTempDirs();
const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

const MINUTE = 60_000;

/** An agent whose dashboard reads the time from `clock.now`, so tests can move it past an expiry. */
async function start() {
  const clock = { now: Date.now() };
  const agent = new Agent({
    // Like test/support/agent.ts: no system users for test apps.
    isolation: "off",
    dataDir: tempDir(),
    listen: { host: "127.0.0.1", port: 0 },
    api: { host: "127.0.0.1", port: 0 },
    logger: pino({ level: "silent" }),
    dashboard: { now: () => clock.now },
  });
  agents.push(agent);
  const info = await agent.start();
  const client = new AgentClient(info.api, agent.token);
  const url = (path: string) => `${info.api}${path}`;
  const link = async () => (await client.json<LoginLinkResponse>("POST", "/v1/dashboard/links")).path;
  return { agent, info, client, clock, url, link };
}

/** The cookie (name=value) a response sets, if any. */
function cookie(res: Response, name: string): string | undefined {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return set?.split(";")[0];
}

function hidden(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in the page`);
  return match[1]!;
}

/** Logs in with a one-time link; returns the session cookie and the session's CSRF token. */
async function session(t: Awaited<ReturnType<typeof start>>) {
  const res = await fetch(t.url(await t.link()), { redirect: "manual" });
  expect(res.status).toBe(200);
  const sessionCookie = cookie(res, "skiff_session")!;
  const page = await fetch(t.url("/dashboard"), { headers: { cookie: sessionCookie } });
  return { cookie: sessionCookie, csrf: hidden(await page.text(), "_csrf") };
}

/** The login form as a browser keeps it: its cookie and hidden token, renewed by each answer. */
async function loginForm(t: Awaited<ReturnType<typeof start>>) {
  const first = await fetch(t.url("/dashboard/login"));
  let jar = cookie(first, "skiff_login")!;
  let csrf = hidden(await first.text(), "_csrf");
  return async (token: string) => {
    const res = await fetch(t.url("/dashboard/login"), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: jar, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, token, next: "/dashboard" }),
    });
    const body = await res.text();
    jar = cookie(res, "skiff_login") ?? jar;
    if (res.status !== 303) csrf = hidden(body, "_csrf");
    return { res, body };
  };
}

describe("the dashboard without a session", () => {
  it("answers every route with 401, or a redirect to the login form for a page, and nothing more", async () => {
    const t = await start();
    // Every route the dashboard has, read from its router, so a route added later is checked too.
    const seen = new Set<string>();
    const routes = dashboardRoutes({} as DashboardDeps, new DashboardAuth(DEFAULT_SETTINGS))
      .routes.map((r) => ({
        // The catch-all (and the middleware, also registered on /*) answer any path.
        method: r.method === "ALL" ? "GET" : r.method,
        path: (r.path === "/*" ? "/no-such-page" : r.path)
          .replace(":app", "hello")
          .replace(":id", "1")
          .replace(":name", "dashboard.css"),
      }))
      .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
    // The CLI's link comes from behind the API token.
    expect((await fetch(t.url("/v1/dashboard/links"), { method: "POST" })).status).toBe(401);
    const publicRoutes = ["GET /login", "POST /login", "GET /assets/dashboard.css"];
    const guarded = routes.filter((r) => !publicRoutes.includes(`${r.method} ${r.path}`));
    expect(guarded.length).toBeGreaterThanOrEqual(14);
    const forged = "skiff_session=made-up-value";
    for (const { method, path } of guarded) {
      for (const headers of [{}, { cookie: forged }] as Array<Record<string, string>>) {
        const asPage = await fetch(t.url(`/dashboard${path}`), {
          method,
          redirect: "manual",
          headers: { ...headers, accept: "text/html" },
        });
        const asScript = await fetch(t.url(`/dashboard${path}`), { method, redirect: "manual", headers });
        const where = `${method} /dashboard${path}`;
        if (method === "GET") {
          expect(asPage.status, where).toBe(303);
          expect(asPage.headers.get("location"), where).toBe(
            `/dashboard/login?next=${encodeURIComponent(`/dashboard${path}`)}`,
          );
        } else {
          expect(asPage.status, where).toBe(401);
        }
        expect(asScript.status, where).toBe(401);
        expect(await asScript.text(), where).not.toContain("hello");
      }
    }
  });
});

describe("dashboard sessions", () => {
  it("sets an HttpOnly, SameSite=Strict cookie on /dashboard, Secure behind TLS, and never puts the token in a page", async () => {
    const t = await start();
    const plain = await fetch(t.url(await t.link()), { redirect: "manual" });
    const set = plain.headers.getSetCookie().find((c) => c.startsWith("skiff_session="))!;
    expect(set).toMatch(/; Max-Age=43200; Path=\/dashboard; HttpOnly; SameSite=Strict$/);
    expect(plain.headers.get("content-security-policy")).toContain("script-src 'self'");
    const tls = await fetch(t.url(await t.link()), {
      redirect: "manual",
      headers: { "x-forwarded-proto": "https" },
    });
    expect(tls.headers.getSetCookie().find((c) => c.startsWith("skiff_session="))).toMatch(/; Secure/);

    const form = await loginForm(t);
    const { res } = await form(t.agent.token);
    expect(res.status).toBe(303);
    const byToken = cookie(res, "skiff_session")!;
    for (const path of ["/dashboard", "/dashboard/incidents", "/dashboard/metrics"]) {
      const page = await fetch(t.url(path), { headers: { cookie: byToken } });
      expect(page.status).toBe(200);
      expect(await page.text()).not.toContain(t.agent.token);
    }
  });

  it("refuses an expired or reused login link, and a session after its idle time or at logout", async () => {
    const t = await start();
    const expired = await t.link();
    t.clock.now += DEFAULT_SETTINGS.linkTtlMs;
    const late = await fetch(t.url(expired), { redirect: "manual" });
    expect(late.status).toBe(401);
    expect(await late.text()).toContain("This login link has expired");
    expect(cookie(late, "skiff_session")).toBeUndefined();

    const once = await t.link();
    expect((await fetch(t.url(once), { redirect: "manual" })).status).toBe(200);
    const again = await fetch(t.url(once), { redirect: "manual" });
    expect(again.status).toBe(401);
    expect(await again.text()).toContain("already used");

    const forged = once.replace(/link=[^.]+/, "link=AAAAAAAAAAAAAAAAAAAAAA");
    expect((await fetch(t.url(forged), { redirect: "manual" })).status).toBe(401);

    const { cookie: idle } = await session(t);
    t.clock.now += DEFAULT_SETTINGS.sessionIdleMs - MINUTE;
    expect((await fetch(t.url("/dashboard"), { headers: { cookie: idle } })).status).toBe(200);
    t.clock.now += DEFAULT_SETTINGS.sessionIdleMs;
    const after = await fetch(t.url("/dashboard"), {
      redirect: "manual",
      headers: { cookie: idle, accept: "text/html" },
    });
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/dashboard/login?next=%2Fdashboard");

    const { cookie: mine, csrf } = await session(t);
    const out = await fetch(t.url("/dashboard/logout"), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: mine, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(out.status).toBe(303);
    expect((await fetch(t.url("/dashboard"), { headers: { cookie: mine } })).status).toBe(401);
  });
});

describe("state-changing requests", () => {
  it("refuse a POST without the session's CSRF token or from another origin, and run it with them", async () => {
    const t = await start();
    const repo = createAppRepo(join(tempDir(), "app"), "hello", { version: "v1" });
    await deploy(t.client, repo);
    setBehaviour(repo, { version: "v2" });
    await deploy(t.client, repo);
    const { cookie: mine, csrf } = await session(t);
    const rollback = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(t.url("/dashboard/apps/hello/rollback"), {
        method: "POST",
        redirect: "manual",
        headers: { cookie: mine, "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({ env: "production", to: "r1", ...fields }),
      });

    expect((await rollback({})).status).toBe(403);
    expect((await rollback({ _csrf: "not-the-token" })).status).toBe(403);
    expect((await rollback({ _csrf: csrf }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await rollback({ _csrf: csrf }, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    const releases = async () =>
      (await t.client.json<{ releases: Array<{ id: string }> }>("GET", "/v1/apps/hello/releases")).releases;
    expect((await releases()).map((r) => r.id)).toEqual(["r2", "r1"]);
    expect(await version(t.info.proxy)).toBe("v2");

    const done = await rollback({ _csrf: csrf }, { origin: t.info.api, "sec-fetch-site": "same-origin" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/dashboard/apps/hello?done=r3");
    expect((await releases()).map((r) => r.id)).toEqual(["r3", "r2", "r1"]);
    expect(await version(t.info.proxy)).toBe("v1");
  });
});

describe("promote", () => {
  it("runs staging's live release in production from the confirmation's form, through the deployer", async () => {
    const t = await start();
    const repo = createAppRepo(
      join(tempDir(), "app"),
      "hello",
      { version: "v1" },
      "environments:\n  staging: { host: staging.hello.test }\n",
    );
    await deploy(t.client, repo);
    setBehaviour(repo, { version: "v2" });
    await deploy(t.client, repo, { env: "staging" });
    const { cookie: mine, csrf } = await session(t);

    const staging = await (
      await fetch(t.url("/dashboard/apps/hello?env=staging"), { headers: { cookie: mine } })
    ).text();
    expect(staging).toContain('href="/dashboard/apps/hello/promote?from=staging&amp;to=production"');
    const confirm = await fetch(t.url("/dashboard/apps/hello/promote?from=staging&to=production"), {
      headers: { cookie: mine },
    });
    expect(confirm.status).toBe(200);
    const form = await confirm.text();
    expect(form).toContain("Promote to production");
    const res = await fetch(t.url("/dashboard/apps/hello/promote"), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: mine, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, from: hidden(form, "from"), to: hidden(form, "to") }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard/apps/hello?done=r3");
    expect(await version(t.info.proxy)).toBe("v2");
    const { releases } = await t.client.json<{ releases: Array<Record<string, unknown>> }>(
      "GET",
      "/v1/apps/hello/releases",
    );
    expect(releases[0]).toMatchObject({
      id: "r3",
      env: "production",
      trigger: "promote",
      artifact: "r2",
      deployedBy: "dashboard",
    });
  });
});

describe("token logins", () => {
  it("slow down after wrong tokens: 20 in a row are mostly refused unchecked, the right one too until the lock ends", async () => {
    const t = await start();
    const attempt = await loginForm(t);
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 20; i++) {
      const { res } = await attempt(`wrong-token-${i}`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = Number(res.headers.get("retry-after"));
    }
    // The first few are typos; after that each try waits out a lock that doubles.
    expect(statuses.slice(0, FREE_FAILURES)).toEqual(new Array(FREE_FAILURES).fill(401));
    expect(statuses.slice(FREE_FAILURES)).toEqual(new Array(20 - FREE_FAILURES).fill(429));
    expect(retryAfter).toBeGreaterThanOrEqual(1);

    const locked = await attempt(t.agent.token);
    expect(locked.res.status).toBe(429);
    expect(cookie(locked.res, "skiff_session")).toBeUndefined();
    expect(locked.body).toContain("Too many wrong tokens");

    // A one-time link still lets the owner in: it is signed, there is nothing to guess.
    expect(cookie(await fetch(t.url(await t.link()), { redirect: "manual" }), "skiff_session")).toBeDefined();

    t.clock.now += retryAfter * 1000;
    const right = await attempt(t.agent.token);
    expect(right.res.status).toBe(303);
    expect(cookie(right.res, "skiff_session")).toBeDefined();
  });

  it("refuses a login form posted without its own CSRF token", async () => {
    const t = await start();
    const res = await fetch(t.url("/dashboard/login"), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: t.agent.token }),
    });
    expect(res.status).toBe(403);
    expect(cookie(res, "skiff_session")).toBeUndefined();
  });
});
