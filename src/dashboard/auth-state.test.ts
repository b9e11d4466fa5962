import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FIRST_LOCK_MS, FREE_FAILURES, LoginLimiter, lockAfter, MAX_LOCK_MS } from "./login-limiter.js";
import { LoginLinks, signLink, verifyLink } from "./login-link.js";
import { Sessions } from "./sessions.js";

const key = randomBytes(32);
const nonce = "AAAAAAAAAAAAAAAAAAAAAA";

describe("login links", () => {
  it.each([
    ["a good link", signLink(key, nonce, 2000), 1000, { ok: true, nonce, expiresAt: 2000 }],
    ["an expired link", signLink(key, nonce, 2000), 2000, { ok: false, reason: "expired" }],
    [
      "a link signed with another key",
      signLink(randomBytes(32), nonce, 2000),
      1000,
      { ok: false, reason: "forged" },
    ],
    [
      "a link whose expiry was pushed back",
      signLink(key, nonce, 2000).replace(".2000.", ".9999."),
      1000,
      { ok: false, reason: "forged" },
    ],
    ["garbage", "not-a-link", 1000, { ok: false, reason: "malformed" }],
    ["an empty link", "", 1000, { ok: false, reason: "malformed" }],
  ])("%s", (_name, link, now, expected) => {
    expect(verifyLink(key, link, now)).toEqual(expected);
  });

  it("redeems a link once, and not after it expires", () => {
    let now = 1000;
    const links = new LoginLinks(60_000, () => now);
    const first = links.issue();
    expect(first.expiresAt).toBe(61_000);
    expect(links.redeem(first.link)).toMatchObject({ ok: true });
    expect(links.redeem(first.link)).toEqual({ ok: false, reason: "used" });
    const second = links.issue();
    now = 61_000;
    expect(links.redeem(second.link)).toEqual({ ok: false, reason: "expired" });
  });
});

describe("sessions", () => {
  it("expire after the idle time, and a request restarts the idle clock", () => {
    let now = 0;
    const sessions = new Sessions({ idleMs: 100, maxAgeMs: 1000 }, () => now);
    const { id, session } = sessions.create("link");
    now = 99;
    expect(sessions.get(id)).toBe(session);
    now = 198;
    expect(sessions.get(id)).toBe(session);
    now = 298;
    expect(sessions.get(id)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it("expire at their maximum age however busy", () => {
    let now = 0;
    const sessions = new Sessions({ idleMs: 100, maxAgeMs: 250 }, () => now);
    const { id } = sessions.create("token");
    for (now = 50; now < 250; now += 50) expect(sessions.get(id)).toBeDefined();
    now = 250;
    expect(sessions.get(id)).toBeUndefined();
  });

  it("end at logout, know nothing of other ids, and give each session its own CSRF token", () => {
    const sessions = new Sessions({ idleMs: 100, maxAgeMs: 250 }, () => 0);
    const a = sessions.create("token");
    const b = sessions.create("token");
    expect(a.session.csrf).not.toBe(b.session.csrf);
    expect(sessions.get("made-up")).toBeUndefined();
    expect(sessions.get(undefined)).toBeUndefined();
    sessions.end(a.id);
    expect(sessions.get(a.id)).toBeUndefined();
    expect(sessions.get(b.id)).toBeDefined();
  });
});

describe("the login limiter", () => {
  it.each([
    [1, 0],
    [FREE_FAILURES - 1, 0],
    [FREE_FAILURES, FIRST_LOCK_MS],
    [FREE_FAILURES + 1, 2 * FIRST_LOCK_MS],
    [FREE_FAILURES + 4, 16 * FIRST_LOCK_MS],
    [100, MAX_LOCK_MS],
  ])("after %i wrong tries in a row, locks for %i ms", (failures, ms) => {
    expect(lockAfter(failures)).toBe(ms);
  });

  it("refuses a locked address until its lock runs out, per address, and forgets it after a right token", () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < FREE_FAILURES; i++) limiter.failed("10.0.0.1", 0);
    expect(limiter.check("10.0.0.1", 0)).toEqual({ ok: false, retryAfterMs: FIRST_LOCK_MS });
    expect(limiter.check("10.0.0.2", 0)).toEqual({ ok: true });
    expect(limiter.check("10.0.0.1", FIRST_LOCK_MS)).toEqual({ ok: true });
    limiter.succeeded("10.0.0.1");
    limiter.failed("10.0.0.1", FIRST_LOCK_MS);
    expect(limiter.check("10.0.0.1", FIRST_LOCK_MS)).toEqual({ ok: true });
  });

  it("starts an address over after an hour without a wrong try", () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < FREE_FAILURES + 3; i++) limiter.failed("a", 0);
    limiter.failed("a", 2 * 3_600_000);
    expect(limiter.check("a", 2 * 3_600_000)).toEqual({ ok: true });
  });
});
