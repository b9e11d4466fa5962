import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as tar from "tar";
import { describe, expect, it } from "vitest";
import { resolveChannels } from "../alerts/channels.js";
import { ArtifactError } from "../deployer/artifact.js";
import { configForEnvironment } from "../environments/resolve.js";
import { ConfigError, UsageError } from "../errors.js";
import type { SecretLookup } from "../secrets/secret-store.js";
import { DataDir } from "../store/data-dir.js";
import { useTempDirs, writeFiles } from "../test-support/git-fixtures.js";
import { rejection } from "../test-support/rejection.js";
import { type AdmissionOptions, admitDeploy, type DeployRequest } from "./admission.js";
import { UploadTooLargeError } from "./upload.js";

const tempDir = useTempDirs();

const YAML = `app: hello
start: node server.js
host: hello.test
environments:
  staging: { host: staging.hello.test }
`;

function agentSide(secrets: Record<string, string> = {}, maxUploadBytes = 1024 * 1024) {
  const dataDir = new DataDir(tempDir());
  dataDir.create();
  const lookup: SecretLookup = (name) => secrets[name];
  const options: AdmissionOptions = {
    dataDir,
    maxUploadBytes,
    secrets: lookup,
    channelProblems: (config) => resolveChannels(config.alerts, lookup).problems,
  };
  const uploads = () => readdirSync(dataDir.path("uploads"));
  return { options, uploads };
}

async function tarball(files: Record<string, string>): Promise<Uint8Array> {
  const tree = tempDir();
  writeFiles(tree, files);
  const file = `${tempDir()}/app.tar.gz`;
  await tar.c({ gzip: true, file, cwd: tree }, ["."]);
  return readFileSync(file);
}

/** A CLI-like request: to `env` of the uploaded skiff.yml. */
async function request(env: string, yaml = YAML, extra: Record<string, string> = {}): Promise<DeployRequest> {
  return {
    app: "hello",
    tarball: await tarball({ "skiff.yml": yaml, "server.js": "// app\n", ...extra }),
    target: (registered) => ({ env, config: configForEnvironment(registered, env) }),
    details: () => ({ commit: null, deployedBy: "tester", trigger: "cli", version: null, wait: false }),
  };
}

function asStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.slice(i, i + 1000));
      controller.close();
    },
  });
}

describe("admitDeploy", () => {
  it("hands over the saved upload with the target's config and the caller's details", async () => {
    const { options, uploads } = agentSide();
    const req = await request("staging");
    const size = (req.tarball as Uint8Array).length;
    const input = await admitDeploy(options, { ...req, tarball: asStream(req.tarball as Uint8Array) });
    expect(input).toMatchObject({
      app: "hello",
      env: "staging",
      uploadBytes: size,
      uploadFiles: 3,
      deployedBy: "tester",
      trigger: "cli",
    });
    expect(input?.config.hosts).toEqual(["staging.hello.test"]);
    expect(input?.registered.hosts).toEqual(["hello.test"]);
    expect(existsSync(input!.upload)).toBe(true);
    expect(uploads()).toHaveLength(1);
  });

  it("refuses an unknown environment and keeps nothing of the upload", async () => {
    const { options, uploads } = agentSide();
    const error = await rejection(admitDeploy(options, await request("nope")), UsageError);
    expect(error.message).toMatch(/--env nope: hello has no environment named "nope"/);
    expect(uploads()).toEqual([]);
  });

  it("refuses a target whose secrets or alert channels the agent lacks, naming each field", async () => {
    const { options, uploads } = agentSide({ SET_ONE: "x" });
    const yaml = `${YAML}secrets: [SET_ONE, DATABASE_URL]\nalerts:\n  - discord: { webhook_url_env: NOT_SET_HOOK }\n`;
    const error = await rejection(admitDeploy(options, await request("production", yaml)), ConfigError);
    expect(error.issues).toEqual([
      expect.stringMatching(/^secrets\.1: DATABASE_URL is not set/),
      expect.stringMatching(/^alerts\.discord\.webhook_url_env: NOT_SET_HOOK is not set/),
    ]);
    expect(uploads()).toEqual([]);
  });

  it.each([
    ["a stream", (bytes: Uint8Array) => asStream(bytes)],
    ["bytes", (bytes: Uint8Array) => bytes],
  ])("refuses %s over the size limit, keeping nothing", async (_name, as) => {
    const { options, uploads } = agentSide({}, 2048);
    const req = await request("production", YAML, { "blob.bin": randomBytes(8192).toString("base64") });
    await rejection(
      admitDeploy(options, { ...req, tarball: as(req.tarball as Uint8Array) }),
      UploadTooLargeError,
    );
    expect(uploads()).toEqual([]);
  });

  it("refuses a tarball that would escape the release directory, keeping nothing", async () => {
    const { options, uploads } = agentSide();
    const req = await request("production");
    const tree = tempDir();
    writeFiles(tree, { "skiff.yml": YAML });
    const file = `${tempDir()}/bad.tar.gz`;
    await tar.c({ gzip: true, file, cwd: tree, preservePaths: true }, ["skiff.yml", "/etc/hostname"]);
    const error = await rejection(
      admitDeploy(options, { ...req, tarball: readFileSync(file) }),
      ArtifactError,
    );
    expect(error.message).toMatch(/etc\/hostname: the path leaves the release directory/);
    expect(uploads()).toEqual([]);
  });

  it("deletes the upload when there is nothing to deploy, or when the caller's details fail", async () => {
    const { options, uploads } = agentSide();
    const req = await request("production");
    expect(await admitDeploy(options, { ...req, target: () => undefined })).toBeUndefined();
    expect(uploads()).toEqual([]);
    const failing = {
      ...req,
      details: async () => {
        throw new Error("the repository is unreachable");
      },
    };
    await rejection(admitDeploy(options, failing), Error);
    expect(uploads()).toEqual([]);
  });
});
