import { describe, expect, it } from "vitest";
import { Router } from "./router.js";

describe("Router", () => {
  const router = new Router();
  router.set("web", ["example.com", "www.example.com"]);
  router.set("api", ["api.example.com"]);
  router.set("tenants", ["*.apps.example.com"]);
  router.set("fallback", []);

  it.each([
    ["example.com", "web"],
    ["WWW.Example.com:8080", "web"],
    ["api.example.com", "api"],
    ["acme.apps.example.com", "tenants"],
    ["deep.acme.apps.example.com", "tenants"],
    ["apps.example.com", "fallback"],
    ["unknown.test", "fallback"],
    [undefined, "fallback"],
    ["[::1]:8080", "fallback"],
  ])("%s → %s", (host, app) => {
    expect(router.match(host)?.app).toBe(app);
  });

  it("refuses a host another app owns, and a second default route, changing nothing", () => {
    expect(router.conflict("other", ["api.example.com"])).toBe(
      "host api.example.com is already routed to app api",
    );
    expect(() => router.set("other", ["api.example.com"])).toThrow(/already routed to app api/);
    expect(router.conflict("other", [])).toMatch(/app fallback is already the default route/);
    expect(router.match("api.example.com")?.app).toBe("api");
    expect(router.get("other")).toBeUndefined();
  });

  it("moves an app to new hosts", () => {
    const local = new Router();
    local.set("web", ["old.test"]);
    local.set("web", ["new.test"]);
    expect(local.match("new.test")?.app).toBe("web");
    expect(local.match("old.test")).toBeUndefined();
  });
});
