import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SecretStore } from "./secret-store.js";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skiff-secrets-"));
  file = join(dir, "secrets.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("SecretStore", () => {
  it("keeps values across restarts in a 0600 file, and unsets them", () => {
    const store = new SecretStore(file);
    store.set("SLACK_WEBHOOK_URL", "https://hooks.slack.test/T/B/x");
    store.set("ALERT_SECRET", "s3cret=with=equals");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = new SecretStore(file);
    expect(again.names()).toEqual(["ALERT_SECRET", "SLACK_WEBHOOK_URL"]);
    expect(again.get("ALERT_SECRET")).toBe("s3cret=with=equals");
    expect(again.unset("ALERT_SECRET")).toBe(true);
    expect(again.unset("ALERT_SECRET")).toBe(false);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      SLACK_WEBHOOK_URL: "https://hooks.slack.test/T/B/x",
    });
  });

  it("looks up the store first, then the environment", () => {
    const store = new SecretStore(file);
    store.set("BOTH", "from-store");
    const lookup = store.lookup({ BOTH: "from-env", ONLY_ENV: "env", EMPTY: "" });
    expect([lookup("BOTH"), lookup("ONLY_ENV"), lookup("EMPTY"), lookup("NOWHERE")]).toEqual([
      "from-store",
      "env",
      undefined,
      undefined,
    ]);
  });

  it("refuses bad names, empty values and a file that is not an object of strings, naming what is wrong", () => {
    const store = new SecretStore(file);
    expect(() => store.set("1ABC", "x")).toThrow(
      'secret name "1ABC": expected a variable name like SLACK_WEBHOOK_URL',
    );
    expect(() => store.set("OK", "")).toThrow("OK: the value is empty");
    writeFileSync(file, '{"A": 1}');
    expect(() => new SecretStore(file)).toThrow(`${file}: A: expected a string value`);
    writeFileSync(file, '{"SLACK": https://hooks.slack.test/very-secret}');
    const error = (() => {
      try {
        new SecretStore(file);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toBe(`${file}: not valid JSON`);
  });
});
