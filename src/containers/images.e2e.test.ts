import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogFile } from "../runtime/log-file.js";
import { requireExternal } from "../test-support/external.js";
import { buildImage, releaseTag } from "./build.js";
import { resolveImage } from "./image.js";
import { parseImageRef } from "./image-ref.js";
import { runOneOff } from "./one-off.js";
import { imagesToRemove, removeImages } from "./prune-images.js";
import { pullImage } from "./pull.js";
import { registryAuth } from "./registry-auth.js";
import { type BuiltImage, TestImages, testEngine } from "./test-support/images.js";
import { REGISTRY_PACKAGE, registryInstalled, startRegistry } from "./test-support/registry.js";

const docker = await testEngine();
const AGENT = "t-images";

describe.skipIf(!docker)("images on a real engine", () => {
  const engine = docker as Docker;
  let images: TestImages;
  let base: BuiltImage;
  let dir: string;
  let log: LogFile;

  beforeAll(async () => {
    images = new TestImages(engine);
    base = await images.busybox();
    dir = mkdtempSync(join(tmpdir(), "skiff-images-"));
    log = new LogFile(join(dir, "release.log"));
  });

  afterAll(async () => {
    log?.close();
    await images?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function source(files: Record<string, string>): string {
    const src = mkdtempSync(join(dir, "src-"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(src, path, ".."), { recursive: true });
      writeFileSync(join(src, path), text);
    }
    return src;
  }

  it("builds from the Dockerfile in the source with build args, streams the build into the log, pins by id", async () => {
    const src = source({
      "deploy/Dockerfile": [
        "ARG BASE",
        "FROM $BASE",
        "ARG GREETING",
        'RUN echo "building with greeting=$GREETING"',
        "COPY . /ctx",
        "EXPOSE 8080 9090",
        'CMD ["httpd", "-f", "-p", "8080", "-h", "/ctx"]',
      ].join("\n"),
      ".dockerignore": "secret.txt\nnode_modules\n!node_modules/keep.txt\n",
      "index.html": "hello\n",
      "secret.txt": "not for the image\n",
      "node_modules/big.js": "x\n",
    });
    const tag = releaseTag(AGENT, "hello", "r1");
    const image = await buildImage(engine, {
      contextDir: src,
      dockerfile: "deploy/Dockerfile",
      buildArgs: { BASE: base.tag, GREETING: "hej" },
      tag,
      labels: { "skiff.app": "hello", "skiff.release": "r1" },
      log,
    });
    images.track("image", image.id);
    expect(image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(image.exposedPorts).toEqual([8080, 9090]);
    const text = readFileSync(log.path, "utf8");
    expect(text).toContain("building with greeting=hej");
    expect(text).toContain(`built ${tag}: ${image.id}`);

    // What the context held: .dockerignore's rules applied, the Dockerfile sent anyway.
    const listing = new LogFile(join(dir, "listing.log"));
    const result = await runOneOff(
      engine,
      {
        name: `skiff-${AGENT}-listing`,
        image: image.id,
        labels: {},
        env: {},
        command: "find /ctx -type f | sort",
      },
      { log: listing, timeoutMs: 30_000, stopTimeoutMs: 1_000 },
    );
    listing.close();
    expect(result).toEqual({ code: 0, timedOut: false });
    expect(readFileSync(listing.path, "utf8").trim().split("\n")).toEqual([
      "/ctx/.dockerignore",
      "/ctx/deploy/Dockerfile",
      "/ctx/index.html",
    ]);
  });

  it("a failing step fails the build with the engine's message and leaves its output in the log", async () => {
    const src = source({ Dockerfile: `FROM ${base.tag}\nRUN echo about to fail && exit 3\n` });
    await expect(
      buildImage(engine, {
        contextDir: src,
        dockerfile: "Dockerfile",
        buildArgs: {},
        tag: releaseTag(AGENT, "hello", "r2"),
        labels: {},
        log,
      }),
    ).rejects.toThrow(/the image build failed: .*returned a non-zero code: 3/);
    expect(readFileSync(log.path, "utf8")).toContain("about to fail");
    expect(await resolveImage(engine, releaseTag(AGENT, "hello", "r2"))).toBeUndefined();
  });

  it("a Dockerfile missing from the source is refused before the engine is asked", async () => {
    const src = source({ "index.html": "x" });
    await expect(
      buildImage(engine, {
        contextDir: src,
        dockerfile: "Dockerfile",
        buildArgs: {},
        tag: "x:y",
        labels: {},
        log,
      }),
    ).rejects.toThrow("dockerfile: Dockerfile is not in the uploaded source");
  });

  it("a one-off container that outlives its timeout is stopped and reported", async () => {
    const result = await runOneOff(
      engine,
      { name: `skiff-${AGENT}-slow`, image: base.id, labels: {}, env: {}, command: ["sleep", "30"] },
      { log, timeoutMs: 300, stopTimeoutMs: 1_000 },
    );
    expect(result).toEqual({ code: null, timedOut: true });
    const left = await engine.listContainers({ all: true, filters: { name: [`skiff-${AGENT}-slow`] } });
    expect(left).toEqual([]);
  });

  it("removes the images of pruned releases that no kept release needs, and never one a container uses", async () => {
    const one = await images.build("prune-a", {}, `FROM ${base.tag}\nENV RELEASE=a`);
    const two = await images.build("prune-b", {}, `FROM ${base.tag}\nENV RELEASE=b`);
    const remove = imagesToRemove(
      [
        { release: "r1", image: one.id },
        { release: "r2", image: two.id },
      ],
      [{ release: "r3", image: base.id }],
    );
    expect(remove).toEqual([one.id, two.id]);
    const holder = await engine.createContainer({ Image: two.id, Cmd: ["true"], Labels: {} });
    images.track("container", holder.id);
    const report = await removeImages(engine, remove);
    expect(report.removed).toEqual([one.id]);
    expect(report.refused.map((r) => r.image)).toEqual([two.id]);
    expect(report.refused[0]!.reason).toMatch(/being used by/);
    expect(await resolveImage(engine, one.id)).toBeUndefined();
    expect(await resolveImage(engine, two.id)).toBeDefined();
  });
});

const registryMissing = !docker || requireExternal("docker-registry", REGISTRY_PACKAGE, registryInstalled());

describe.skipIf(registryMissing)("pulling from a registry that needs a login", () => {
  const engine = docker as Docker;
  const login = { username: "deployer", password: `pw-${Date.now()}` };
  let images: TestImages;
  let dir: string;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let log: LogFile;

  beforeAll(async () => {
    images = new TestImages(engine);
    dir = mkdtempSync(join(tmpdir(), "skiff-registry-"));
    registry = await startRegistry(join(dir, "registry"), login);
    log = new LogFile(join(dir, "release.log"));
  });

  afterAll(async () => {
    log?.close();
    await registry?.stop();
    await images?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("pulls with the password from the agent's secrets, pins the image by registry digest, and logs no secret", async () => {
    const base = await images.busybox();
    const auth = { username: login.username, password: login.password, serveraddress: registry.address };
    const pushed = await images.push(base, registry.address, "me/app", "1.2.3", auth);
    // Gone from the engine entirely: the pull must fetch every layer from the registry.
    await engine.getImage(base.id).remove({ force: true });
    const ref = parseImageRef(pushed);
    if ("error" in ref) throw new Error(ref.error);

    const secrets: Record<string, string> = { REGISTRY_PASSWORD: login.password };
    const credentials = registryAuth(
      ref,
      { username: login.username, passwordEnv: "REGISTRY_PASSWORD" },
      (n) => secrets[n],
    );
    const pinned = await pullImage(engine, ref, { auth: credentials, log });
    images.track("image", pinned.id);
    expect(pinned.id).toBe(base.id);
    expect(pinned.repoDigest).toMatch(new RegExp(`^${registry.address}/me/app@sha256:[0-9a-f]{64}$`));
    const text = readFileSync(log.path, "utf8");
    expect(text).toContain(`pulling ${pushed} as deployer`);
    expect(text).not.toContain(login.password);

    // The digest names the same content: pulling by it gives the same id.
    const byDigest = parseImageRef(pinned.repoDigest!);
    if ("error" in byDigest) throw new Error(byDigest.error);
    expect((await pullImage(engine, byDigest, { auth: credentials })).id).toBe(base.id);
  });

  it("without credentials the registry refuses and the pull fails with the engine's reason", async () => {
    const ref = parseImageRef(`${registry.address}/me/other:1`);
    if ("error" in ref) throw new Error(ref.error);
    await expect(pullImage(engine, ref, { log })).rejects.toThrow(/no basic auth credentials|unauthorized/);
  });

  it("a password secret the agent does not have is refused naming the key and the command to set it", () => {
    const ref = parseImageRef(`${registry.address}/me/app:1`);
    if ("error" in ref) throw new Error(ref.error);
    expect(() => registryAuth(ref, { username: "me", passwordEnv: "GHCR_TOKEN" }, () => undefined)).toThrow(
      "registry.password_env: GHCR_TOKEN is not set in the agent's secret store or environment (skiff secrets set GHCR_TOKEN)",
    );
  });
});
