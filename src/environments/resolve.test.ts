import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { configForEnvironment, environmentNames, environmentsForBranch } from "./resolve.js";

const config = parseAppConfig(`
app: hello
start: node server.js
host: hello.example.com
env: { LOG_LEVEL: info }
environments:
  staging: { host: staging.hello.example.com, branch: develop, env: { LOG_LEVEL: debug } }
  qa: { host: qa.hello.example.com, branch: develop }
  mirror: { host: mirror.hello.example.com }
`);

describe("configForEnvironment", () => {
  it.each([
    ["production", ["hello.example.com"], "main", "info"],
    ["staging", ["staging.hello.example.com"], "develop", "debug"],
    ["qa", ["qa.hello.example.com"], "develop", "info"],
    ["mirror", ["mirror.hello.example.com"], "main", "info"],
  ])("%s", (name, hosts, branch, logLevel) => {
    const resolved = configForEnvironment(config, name);
    expect(resolved).toMatchObject({ app: "hello", hosts, branch, env: { LOG_LEVEL: logLevel } });
    expect(Object.keys(resolved.environments)).toEqual(["staging", "qa", "mirror"]);
  });

  it("defaults to production", () => {
    expect(configForEnvironment(config)).toBe(config);
  });

  it("applies overrides of production itself", () => {
    const withProduction = parseAppConfig(
      "app: a\nstart: x\nenvironments: { production: { instances: 4 } }\n",
    );
    expect(configForEnvironment(withProduction, "production").instances).toBe(4);
    expect(withProduction.instances).toBe(1);
  });

  it("names the known environments for an unknown one", () => {
    expect(() => configForEnvironment(config, "prod")).toThrow(/hello has no environment named "prod"/);
    try {
      configForEnvironment(config, "prod");
    } catch (error) {
      expect(error).toMatchObject({
        exitCode: 2,
        hint: expect.stringContaining("production, mirror, qa, staging"),
      });
    }
  });
});

describe("environmentNames", () => {
  it("lists production first, then the rest by name", () => {
    expect(environmentNames(config)).toEqual(["production", "mirror", "qa", "staging"]);
  });
});

describe("environmentsForBranch", () => {
  it.each([
    ["main", ["production", "mirror"]],
    ["develop", ["qa", "staging"]],
    ["feature/x", []],
  ])("%s → %j", (branch, expected) => {
    expect(environmentsForBranch(config, branch)).toEqual(expected);
  });
});
