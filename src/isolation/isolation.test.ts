import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { onPath } from "../test-support/external.js";
import { topLevelMode } from "./data-dir-modes.js";
import { isolationMode, parseIsolationFlag } from "./policy.js";
import { systemdUnit } from "./systemd-unit.js";
import { defaultUserName, parsePasswd, validUserName } from "./users.js";

describe("isolationMode", () => {
  it.each([
    ["auto", 0, true, /^on:/],
    ["on", 0, true, /^on:/],
    ["off", 0, false, /--isolation off/],
    ["auto", 1000, false, /uid 1000, not root/],
    ["off", 1000, false, /--isolation off/],
    ["auto", undefined, false, /no user ids/],
  ] as const)("%s as uid %s: enabled %s", (flag, euid, enabled, reason) => {
    const mode = isolationMode(flag, euid);
    expect(mode.enabled).toBe(enabled);
    expect(mode.reason).toMatch(reason);
  });

  it("refuses --isolation on without root, naming the flag", () => {
    expect(() => isolationMode("on", 1000)).toThrow(/--isolation on: the agent runs as uid 1000/);
  });

  it("parses the flag or names it", () => {
    expect(parseIsolationFlag("off")).toBe("off");
    expect(() => parseIsolationFlag("yes")).toThrow("--isolation yes: expected one of auto, on, off");
  });
});

describe("user names", () => {
  it.each([
    ["hello", "skiff-hello"],
    ["a".repeat(26), `skiff-${"a".repeat(26)}`],
  ])("%s runs as %s", (app, user) => {
    expect(defaultUserName(app)).toBe(user);
  });

  it("keeps long app names within 32 characters and apart", () => {
    const a = defaultUserName(`${"x".repeat(30)}-one`);
    const b = defaultUserName(`${"x".repeat(30)}-two`);
    expect(a.length).toBeLessThanOrEqual(32);
    expect(a).not.toBe(b);
    expect(validUserName(a)).toBe(true);
  });

  it.each([
    ["skiff-hello", true],
    ["www-data", true],
    ["_svc", true],
    ["Root", false],
    ["-x", false],
    ["1abc", false],
    ["a b", false],
    ["a;rm", false],
    ["a".repeat(33), false],
  ])("%s valid: %s", (name, valid) => {
    expect(validUserName(name)).toBe(valid);
  });

  it("reads passwd lines, skipping malformed ones", () => {
    const users = parsePasswd(
      "root:x:0:0:root:/root:/bin/bash\nbroken line\nskiff-a:x:998:997::/var/lib/skiff/home/a:/usr/sbin/nologin\nbad:x:no:1::/:/bin/sh\n",
    );
    expect([...users.keys()]).toEqual(["root", "skiff-a"]);
    expect(users.get("skiff-a")).toEqual({ name: "skiff-a", uid: 998, gid: 997 });
  });
});

describe("topLevelMode", () => {
  it.each([
    ["token", false, 0o600],
    ["skiff.db", false, 0o600],
    ["secrets.json", false, 0o600],
    ["releases", true, 0o711],
    ["storage", true, 0o711],
    ["home", true, 0o711],
    ["logs", true, 0o700],
    ["certs", true, 0o700],
    ["backups", true, 0o700],
  ])("%s (directory: %s) gets %o", (name, dir, mode) => {
    expect(topLevelMode(name, dir)).toBe(mode);
  });
});

describe("systemdUnit", () => {
  const base = { node: "/usr/bin/node", bin: "/opt/skiff/bin/skiff.js", dataDir: "/var/lib/skiff" };

  it("isolated: root, the capabilities isolation needs, /etc writable for useradd", () => {
    const unit = systemdUnit({ ...base, args: ["--data-dir", "/var/lib/skiff"], isolated: true });
    expect(unit).toContain("User=root");
    expect(unit).toContain("CAP_SETUID CAP_SETGID");
    expect(unit).toContain("ProtectSystem=true");
    expect(unit).not.toContain("AmbientCapabilities");
    // A reload changes the main pid: systemd must follow it (src/agent/systemd-notify.ts).
    expect(unit).toContain("Type=notify\nNotifyAccess=all");
    expect(unit).toContain("ExecReload=/bin/kill -HUP $MAINPID");
  });

  it("not isolated: a dedicated user binding 80/443 through an ambient capability", () => {
    const unit = systemdUnit({ ...base, args: [], isolated: false, user: "skiff" });
    expect(unit).toContain("User=skiff");
    expect(unit).toContain("AmbientCapabilities=CAP_NET_BIND_SERVICE");
    expect(unit).toContain("ProtectSystem=strict\nReadWritePaths=/var/lib/skiff");
  });

  it("quotes an argument with a space", () => {
    const unit = systemdUnit({ ...base, args: ["--data-dir", "/srv/my data"], isolated: true });
    expect(unit).toContain('"/srv/my data"');
  });

  it.skipIf(!onPath("systemd-analyze"))("passes systemd-analyze verify, both shapes", () => {
    const dir = mkdtempSync(join(tmpdir(), "skiff-unit-"));
    try {
      for (const isolated of [true, false]) {
        const file = join(dir, `skiff-${isolated ? "root" : "user"}.service`);
        writeFileSync(file, systemdUnit({ ...base, node: process.execPath, args: [], isolated }));
        // verify exits 0 even for an unknown key or a bad value, and says so on stderr.
        const verify = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
        expect(verify.stderr).toBe("");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
