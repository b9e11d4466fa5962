import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { configIssues, withSection } from "../config/test-support/config-issues.js";

describe("skiff.yml tls, https_redirect, hsts", () => {
  it.each([
    ["", { mode: { kind: "auto" }, httpsRedirect: true, hsts: undefined }],
    ["tls: off\n", { mode: { kind: "off" }, httpsRedirect: true, hsts: undefined }],
    [
      "tls: { cert_file: /etc/ssl/a/fullchain.pem, key_file: /etc/ssl/a/privkey.pem }\nhttps_redirect: false\n",
      {
        mode: { kind: "files", certFile: "/etc/ssl/a/fullchain.pem", keyFile: "/etc/ssl/a/privkey.pem" },
        httpsRedirect: false,
        hsts: undefined,
      },
    ],
    [
      "hsts: true\n",
      {
        mode: { kind: "auto" },
        httpsRedirect: true,
        hsts: { maxAgeSeconds: 31_536_000, includeSubdomains: false },
      },
    ],
    [
      "hsts: { max_age: 1h, include_subdomains: true }\n",
      { mode: { kind: "auto" }, httpsRedirect: true, hsts: { maxAgeSeconds: 3600, includeSubdomains: true } },
    ],
  ])("%j", (section, tls) => {
    expect(parseAppConfig(withSection(section)).tls).toEqual(tls);
  });

  it.each([
    [
      "tls: on\n",
      "tls: expected auto, off, or { cert_file: /path/fullchain.pem, key_file: /path/privkey.pem }",
    ],
    ["tls: { cert_file: certs/a.pem, key_file: /k.pem }\n", "tls.cert_file: expected an absolute path"],
    [
      "tls: { cert_file: /a.pem }\n",
      "tls.key_file: is required (expected the absolute path of the private key",
    ],
    ["tls: { cert_file: /a.pem, key_file: /b.pem, chain: x }\n", "tls.chain: unknown key"],
    ["https_redirect: yes please\n", "https_redirect: expected true or false"],
    ["hsts: { max_age: forever }\n", "hsts.max_age: expected a duration"],
    ["htss: true\n", "htss: unknown key (did you mean hsts?)"],
    ["tsl: off\n", "tsl: unknown key (did you mean tls?)"],
  ])("%j is refused with its key path", (section, message) => {
    expect(configIssues(withSection(section)).join("\n")).toContain(message);
  });

  it("an environment can turn TLS off for its own host", () => {
    const config = parseAppConfig(
      withSection(
        "host: a.example.com\nenvironments:\n  staging: { host: staging.internal.example, tls: off }\n",
      ),
    );
    expect(config.tls.mode.kind).toBe("auto");
    expect(config.environments.staging?.tls.mode.kind).toBe("off");
  });
});
