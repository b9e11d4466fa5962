import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, renewalTime, renewalWindowMs, retryAfterMs, retryDelayMs } from "./renewal.js";

const DAY = 86_400_000;
const MIN = 60_000;

describe("renewalWindowMs", () => {
  it.each([
    ["a 90-day certificate: 30 days", 90 * DAY, undefined, 30 * DAY],
    ["a 6-day certificate: a third, 2 days", 6 * DAY, undefined, 2 * DAY],
    ["Pebble's 5-year certificate: 30 days", 5 * 365 * DAY, undefined, 30 * DAY],
    ["--cert-renew-before wins", 90 * DAY, 10 * DAY, 10 * DAY],
    ["--cert-renew-before longer than the life", 90 * DAY, 400 * DAY, 400 * DAY],
  ])("%s", (_name, lifetime, setting, expected) => {
    expect(renewalWindowMs(0, lifetime, setting)).toBe(expected);
  });
});

describe("renewalTime", () => {
  const base = { notBefore: 0, notAfter: 90 * DAY, obtainedAt: 0, minIntervalMs: 60 * MIN };
  it.each([
    ["default: at 60 days", {}, 60 * DAY],
    [
      "window longer than the life: not before the floor after it was obtained",
      { renewBeforeMs: 400 * DAY },
      60 * MIN,
    ],
    [
      "obtained later than notBefore (a backdated certificate)",
      { renewBeforeMs: 400 * DAY, obtainedAt: 5 * MIN },
      65 * MIN,
    ],
    ["floor 0: due as soon as it is obtained", { renewBeforeMs: 400 * DAY, minIntervalMs: 0 }, 0],
  ])("%s", (_name, overrides, expected) => {
    expect(renewalTime({ ...base, ...overrides })).toBe(expected);
  });
});

describe("retryDelayMs", () => {
  it.each([
    [1, undefined, 5 * MIN],
    [2, undefined, 10 * MIN],
    [4, undefined, 40 * MIN],
    [9, undefined, 1280 * MIN],
    [10, undefined, DAY],
    [1000, undefined, DAY],
    [1, 3 * 3_600_000, 3 * 3_600_000],
    [4, 1000, 40 * MIN],
  ])("failure %d, retry-after %j → %d ms", (failures, after, expected) => {
    expect(retryDelayMs(failures, DEFAULT_BACKOFF, after)).toBe(expected);
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it.each([
    [
      "Error creating new order :: too many certificates (5) already issued for this exact set of domains in the last 168h0m0s, retry after 2025-01-01 03:00:00 UTC: see https://letsencrypt.org/docs/rate-limits/",
      3 * 3_600_000,
    ],
    ["too many failed authorizations recently: retry after 1h30m0s", 90 * MIN],
    ["retry after 2024-12-31 00:00:00 UTC", 0],
    ["Invalid response from http://a.example.com/.well-known/acme-challenge/x: 404", undefined],
  ])("%s", (message, expected) => {
    expect(retryAfterMs(message, now)).toBe(expected);
  });
});
