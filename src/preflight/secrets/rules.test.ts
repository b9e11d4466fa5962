import { describe, expect, it } from "vitest";
import { ContentScanner } from "../content-scanner.js";
import { BASE64 } from "./charsets.js";
import { placements } from "./corpus.js";
import { shannonEntropy } from "./entropy.js";
import { maskSecret } from "./mask.js";
import { isPlaceholder } from "./placeholder.js";
import { Rng } from "./random.js";
import { SECRET_RULES } from "./rules/index.js";

const scanner = new ContentScanner({
  debug: false,
  secrets: true,
  conflicts: false,
  todo: "warn",
  allowConsole: [],
  patterns: [],
});

function scan(path: string, content: string) {
  return scanner.scan(path, Buffer.from(content, "utf8")).findings;
}

describe("the secret rule set", () => {
  it("has at least 150 provider rules with unique ids", () => {
    const ids = SECRET_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(SECRET_RULES.filter((r) => !r.generic).length).toBeGreaterThanOrEqual(150);
  });

  it("every rule has keywords for the prefilter, lower case", () => {
    for (const rule of SECRET_RULES) {
      expect(rule.keywords.length, rule.id).toBeGreaterThan(0);
      for (const k of rule.keywords) expect(k, rule.id).toBe(k.toLowerCase());
    }
  });
});

describe.each(SECRET_RULES.map((rule) => [rule.id, rule] as const))("rule %s", (_id, rule) => {
  it("reports each well-formed fake, masked", () => {
    const examples = rule.examples(new Rng(101));
    expect(examples.length).toBeGreaterThan(0);
    for (const [i, example] of examples.entries()) {
      const [path, content] = placements(example, i)[0]!;
      const findings = scan(path, content);
      const mine = findings.filter((f) => f.rule === rule.id);
      expect(mine, `${rule.id} in ${path}`).toHaveLength(1);
      const shown = JSON.stringify(mine);
      expect(shown).toContain(maskSecret(example.secret));
      if (example.secret.length > 4) expect(shown).not.toContain(example.secret);
    }
  });

  it("does not report its near misses", () => {
    for (const [i, miss] of rule.nearMisses(new Rng(202)).entries()) {
      for (const [path, content] of placements(miss, i)) {
        const findings = scan(path, content);
        expect(
          findings.filter((f) => f.rule === rule.id),
          `${rule.id} near miss in ${path}`,
        ).toEqual([]);
        if (miss.clean) expect(findings, `${rule.id} clean near miss in ${path}`).toEqual([]);
      }
    }
  });
});

describe("placeholders and entropy", () => {
  it.each([
    ["changeme", true],
    ["<your-api-key>", true],
    [`\${API_KEY}`, true],
    ["xxxxxxxxxxxxxxxx", true],
    ["sk_live_EXAMPLE_KEY", true],
    ["0000000000000000", true],
    ["$DATABASE_PASSWORD", true],
    ["q8Rj2mZx7LwP4nVt", false],
  ])("isPlaceholder(%j) is %s", (value, expected) => {
    expect(isPlaceholder(value)).toBe(expected);
  });

  it.each([
    ["aaaaaaaa", 0],
    ["abababab", 1],
    ["abcdefgh", 3],
  ])("shannonEntropy(%j) = %d", (value, bits) => {
    expect(shannonEntropy(value)).toBeCloseTo(bits, 5);
  });

  it("masks as the first 4 characters then ****", () => {
    expect(maskSecret("abcdefghijkl")).toBe("abcd****");
  });
});

describe("a private key on one line, with \\n escapes", () => {
  const rng = new Rng(7);
  const body = Array.from({ length: 6 }, () => rng.chars(BASE64, 64));
  const pem = `-----BEGIN PRIVATE KEY-----\\n${body.join("\\n")}\\n-----END PRIVATE KEY-----\\n`;

  it.each([
    ["a .env value", ".env", `PRIVATE_KEY="${pem}"\n`],
    [
      "a GCP service-account file",
      "sa.json",
      `{"type": "service_account", "project_id": "p-1", "private_key": "${pem}", "client_email": "a@p-1.iam.gserviceaccount.com"}\n`,
    ],
  ])("in %s shows no line of the key's body", (_label, path, content) => {
    const findings = scan(path, content);
    expect(findings.length).toBeGreaterThan(0);
    const shown = findings.map((f) => `${f.message} ${f.snippet}`).join("\n");
    for (const line of body) expect(shown).not.toContain(line.slice(4, 24));
    expect(shown).toContain("-----END PRIVATE KEY-----");
  });
});
