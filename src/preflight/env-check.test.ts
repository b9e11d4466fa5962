import { describe, expect, it } from "vitest";
import { checkEnv } from "./env-check.js";
import { parseEnvFile } from "./env-files.js";
import { makeRepo, useTempDirs, writeFiles } from "./test-support/temp-repo.js";

const tempDir = useTempDirs();

function input(
  root: string,
  tracked: string[] | undefined,
  extra: Partial<Parameters<typeof checkEnv>[0]> = {},
) {
  return { root, envRequired: [], configEnv: {}, tracked, ...extra };
}

describe("parseEnvFile", () => {
  it("reads keys, values, quotes, export and comments", () => {
    const text =
      "# comment\nexport A=1\nB=\"two words\"\nC='x' # note\nD=\n\nnot a line\nE=plain # trailing\n";
    expect(parseEnvFile(text).map((e) => [e.key, e.value, e.line])).toEqual([
      ["A", "1", 2],
      ["B", "two words", 3],
      ["C", "x", 4],
      ["D", "", 5],
      ["E", "plain", 8],
    ]);
  });
});

describe("checkEnv", () => {
  it("reports keys from .env.example and env_required missing or empty in .env", async () => {
    const root = tempDir();
    writeFiles(root, {
      ".env.example": "DATABASE_URL=\nAPI_KEY=\nPORT=3000\n",
      ".env": "DATABASE_URL=postgres://localhost/app\nAPI_KEY=\n",
      "skiff.yml": "app: a\nstart: x\nenv_required:\n  - SENTRY_DSN\n  - NODE_ENV\n",
    });
    const findings = await checkEnv(
      input(root, undefined, {
        envRequired: ["SENTRY_DSN", "NODE_ENV"],
        configEnv: { NODE_ENV: "production" },
      }),
    );
    expect(findings.map((f) => [f.rule, f.file, f.line, f.message])).toEqual([
      ["env-missing", ".env.example", 2, "API_KEY is required by .env.example but is empty in .env"],
      ["env-missing", ".env.example", 3, "PORT is required by .env.example but is not set in .env"],
      ["env-missing", "skiff.yml", 4, "SENTRY_DSN is required by skiff.yml but is not set in .env"],
    ]);
  });

  it("counts a key set in the environment preflight runs in, as in CI without a .env", async () => {
    const root = tempDir();
    writeFiles(root, { ".env.example": "DATABASE_URL=\nAPI_KEY=\n" });
    const findings = await checkEnv(
      input(root, undefined, { processEnv: { DATABASE_URL: "postgres://db/app" } }),
    );
    expect(findings.map((f) => f.message)).toEqual([
      "API_KEY is required by .env.example but is not set in .env or the environment",
    ]);
  });

  it("counts skiff.yml secrets: as set, since the agent provides them", async () => {
    const root = tempDir();
    writeFiles(root, { ".env.example": "DATABASE_URL=\nAPI_KEY=\n" });
    const findings = await checkEnv(input(root, undefined, { secrets: ["DATABASE_URL"] }));
    expect(findings.map((f) => f.message)).toEqual([
      "API_KEY is required by .env.example but is not set in .env",
    ]);
  });

  it("also reads .env.<environment>", async () => {
    const root = tempDir();
    writeFiles(root, { ".env.example": "A=\nB=\n", ".env": "A=1\n", ".env.production": "B=2\n" });
    expect(await checkEnv(input(root, undefined))).toHaveLength(1);
    expect(await checkEnv(input(root, undefined, { environment: "production" }))).toEqual([]);
  });

  it("flags a committed .env with values, but not a template or an empty one", async () => {
    const root = makeRepo(tempDir, {
      ".env": "# local\nSECRET_THING=abc\n",
      "config/.env.test": "",
      ".env.example": "SECRET_THING=\n",
      ".gitignore": "node_modules\n",
    });
    const findings = await checkEnv(input(root, [".env", "config/.env.test", ".env.example", ".gitignore"]));
    expect(findings.map((f) => [f.rule, f.file, f.line, f.severity])).toEqual([
      ["env-file-committed", ".env", 2, "error"],
      ["env-not-ignored", ".gitignore", 1, "warning"],
    ]);
  });

  it("is quiet when .env is ignored and everything is set", async () => {
    const root = makeRepo(tempDir, { ".gitignore": ".env\n", ".env.example": "A=\n" });
    writeFiles(root, { ".env": "A=1\n" });
    expect(await checkEnv(input(root, [".gitignore", ".env.example"]))).toEqual([]);
  });
});
