import { describe, expect, it } from "vitest";
import { edgeAnswer, type HostEdge, hstsField } from "./edge-policy.js";
import { HostTable } from "./host-table.js";

const hosts = new HostTable<HostEdge>();
hosts.set("app.example.com", { host: "app.example.com", redirect: true, hstsField: "" });
hosts.set("plain.example.com", { host: "plain.example.com", redirect: false, hstsField: "" });
hosts.set("*.preview.example.com", { host: "*.preview.example.com", redirect: true, hstsField: "" });
const challenge = (token: string) => (token === "tok-1" ? "tok-1.thumb" : undefined);

function answer(
  method: string,
  target: string,
  host: string | undefined,
  secure = false,
  port = 443,
  userAgent = "curl/8.0",
) {
  const fields = { lower: ["user-agent"], values: [userAgent] };
  return edgeAnswer({ method, target, host, fields }, secure, hosts, challenge, port);
}

describe("edgeAnswer", () => {
  it.each([
    [
      "a known challenge",
      "GET",
      "/.well-known/acme-challenge/tok-1",
      "app.example.com",
      { status: 200, fields: "", body: "tok-1.thumb" },
    ],
    [
      "a known challenge, HEAD: no body",
      "HEAD",
      "/.well-known/acme-challenge/tok-1",
      "other.test",
      { status: 200, fields: "", body: "" },
    ],
    [
      "an unknown token goes to the app",
      "GET",
      "/.well-known/acme-challenge/nope",
      "app.example.com",
      undefined,
    ],
    [
      "a POST to the challenge path is not a challenge",
      "POST",
      "/.well-known/acme-challenge/tok-1",
      "plain.example.com",
      undefined,
    ],
    [
      "redirect with path and query",
      "GET",
      "/a/b?c=d",
      "app.example.com",
      { status: 308, fields: "location: https://app.example.com/a/b?c=d\r\n", body: "" },
    ],
    [
      "redirect ignores the Host's port and case",
      "POST",
      "/x",
      "App.Example.com:80",
      { status: 308, fields: "location: https://app.example.com/x\r\n", body: "" },
    ],
    ["https_redirect: false", "GET", "/", "plain.example.com", undefined],
    ["a host without a certificate", "GET", "/", "new.example.com", undefined],
    ["no Host", "GET", "/", undefined, undefined],
    [
      "a wildcard redirects to the name asked for",
      "GET",
      "/",
      "pr-1.preview.example.com",
      { status: 308, fields: "location: https://pr-1.preview.example.com/\r\n", body: "" },
    ],
    ["never to a Host that is not a DNS name", "GET", "/", "evil.com/x.preview.example.com", undefined],
    [
      "an absolute-form target goes to /",
      "GET",
      "http://app.example.com/x",
      "app.example.com",
      { status: 308, fields: "location: https://app.example.com/\r\n", body: "" },
    ],
  ])("%s", (_name, method, target, host, expected) => {
    expect(answer(method, target, host)).toEqual(expected);
  });

  it("puts a port other than 443 in the Location", () => {
    expect(answer("GET", "/", "app.example.com", false, 8443)?.fields).toBe(
      "location: https://app.example.com:8443/\r\n",
    );
  });

  it("never redirects the agent's own health monitor, which must reach the app", () => {
    expect(answer("GET", "/health", "app.example.com", false, 443, "skiff-monitor")).toBeUndefined();
    expect(answer("GET", "/health", "app.example.com", false, 443, "skiff-monitor/2")?.status).toBe(308);
  });

  it("answers nothing on TLS, not even a challenge", () => {
    expect(answer("GET", "/.well-known/acme-challenge/tok-1", "app.example.com", true)).toBeUndefined();
    expect(answer("GET", "/", "app.example.com", true)).toBeUndefined();
  });
});

describe("hstsField", () => {
  it.each([
    [undefined, ""],
    [{ maxAgeSeconds: 300, includeSubdomains: false }, "strict-transport-security: max-age=300\r\n"],
    [
      { maxAgeSeconds: 31_536_000, includeSubdomains: true },
      "strict-transport-security: max-age=31536000; includeSubDomains\r\n",
    ],
  ])("%j", (hsts, expected) => expect(hstsField(hsts)).toBe(expected));
});

describe("HostTable", () => {
  it.each([
    ["app.example.com", "app.example.com"],
    ["APP.example.com", "app.example.com"],
    ["a.preview.example.com", "*.preview.example.com"],
    ["b.a.preview.example.com", undefined],
    ["preview.example.com", undefined],
    ["example.com", undefined],
  ])("%s → %s", (name, expected) => expect(hosts.get(name)?.host).toBe(expected));
});
