import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ReleaseView } from "../src/agent/api-types.js";
import type { AgentClient } from "../src/cli/client.js";
import { until } from "../src/test-support/wait.js";
import { githubSignature } from "../src/webhooks/signature.js";
import { fakeSecret, githubPushPayload, ZEROS } from "../src/webhooks/test-support/payloads.js";
import { deploy, get, rollback, useAgents, version } from "./support/agent.js";
import { commitFiles, createAppRepo, setBehaviour } from "./support/repo.js";
import { useTempDirs } from "./support/temp.js";

const tempDir = useTempDirs();
const startAgent = useAgents();
const SECRET_ENV = `SKIFF_TEST_WEBHOOK_SECRET_${process.pid}`;
const secret = fakeSecret();

beforeAll(() => {
  process.env[SECRET_ENV] = secret;
});
afterAll(() => {
  delete process.env[SECRET_ENV];
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** A bare "remote", and a clone of it holding the test app configured for push-to-deploy. */
function setUp(app: string): { repo: string; remote: string } {
  const remote = join(tempDir(), "remote.git");
  git(tempDir(), "init", "-q", "--bare", "-b", "main", remote);
  const extra = `host: ${app}.test
repo: ${remote}
branch: main
webhook_secret_env: ${SECRET_ENV}
environments:
  staging: { branch: develop, host: staging.${app}.test }
previews: { enabled: true, host: "{branch}.preview.${app}.test", max: 2 }
`;
  const repo = createAppRepo(join(tempDir(), "app"), app, { version: "v1" }, extra);
  git(repo, "remote", "add", "origin", remote);
  git(repo, "push", "-q", "origin", "main");
  return { repo, remote };
}

async function hook(
  api: string,
  app: string,
  body: unknown,
  options: { event?: string; delivery?: string; signature?: string; form?: boolean } = {},
) {
  // GitHub's two content types: the JSON itself, or the JSON as the `payload` field of a form.
  const raw = options.form
    ? Buffer.from(new URLSearchParams({ payload: JSON.stringify(body) }).toString())
    : Buffer.from(JSON.stringify(body));
  const started = performance.now();
  const res = await fetch(`${api}/hooks/github/${app}`, {
    method: "POST",
    headers: {
      "content-type": options.form ? "application/x-www-form-urlencoded" : "application/json",
      "x-github-event": options.event ?? "push",
      "x-github-delivery": options.delivery ?? `d-${Math.random()}`,
      "x-hub-signature-256": options.signature ?? githubSignature(raw, secret),
    },
    body: raw,
  });
  return {
    status: res.status,
    body: (await res.json()) as { message: string },
    ms: performance.now() - started,
  };
}

function pushPayload(branch: string, sha: string, deleted = false) {
  return githubPushPayload({ branch, after: deleted ? ZEROS : sha, deleted });
}

/** Push deploys run in the background: the release they make is seen by asking the agent. */
function waitForRelease(
  client: AgentClient,
  app: string,
  match: (r: ReleaseView) => boolean,
): Promise<ReleaseView> {
  return until(`a release of ${app}`, async () => {
    const { releases } = await client.json<{ releases: ReleaseView[] }>("GET", `/v1/apps/${app}/releases`);
    return releases.find(match);
  });
}

/** The app's events of `kind` (push: failed, skipped). */
async function pushEvents(
  client: AgentClient,
  app: string,
): Promise<Array<{ name: string; message: string }>> {
  const { events } = await client.json<{ events: Array<{ kind: string; name: string; message: string }> }>(
    "GET",
    `/v1/apps/${app}/events`,
  );
  return events.filter((e) => e.kind === "push");
}

/** Waits until `skippedCount` pushes of `app` have ended deploying nothing (each is a `skipped` event). */
async function settled(client: AgentClient, app: string, skippedCount: number) {
  await vi.waitFor(
    async () =>
      expect((await pushEvents(client, app)).filter((e) => e.name === "skipped")).toHaveLength(skippedCount),
    {
      timeout: 60_000,
      interval: 100,
    },
  );
}

describe("push order, replays and redeliveries", () => {
  it("replaying an old signed push with a new delivery id does not downgrade production", async () => {
    const { client, proxy, info } = await startAgent(tempDir());
    const { repo } = setUp("replayed");
    await deploy(client, repo);
    const a = setBehaviour(repo, { version: "vA" }, "feat: a");
    git(repo, "push", "-q", "origin", "main");
    expect((await hook(info.api, "replayed", pushPayload("main", a))).status).toBe(202);
    await waitForRelease(client, "replayed", (r) => r.commit?.sha === a && r.status === "live");
    const b = setBehaviour(repo, { version: "vB" }, "feat: b");
    git(repo, "push", "-q", "origin", "main");
    expect((await hook(info.api, "replayed", pushPayload("main", b))).status).toBe(202);
    await waitForRelease(client, "replayed", (r) => r.commit?.sha === b && r.status === "live");

    // The same signed body as A's push, with a fresh delivery id: accepted, and it deploys nothing.
    expect((await hook(info.api, "replayed", pushPayload("main", a), { delivery: "replay-1" })).status).toBe(
      202,
    );
    await settled(client, "replayed", 1);
    expect((await pushEvents(client, "replayed"))[0]?.message).toMatch(
      /main moved on from .* to .*, and .* is live already/,
    );
    expect(await version(proxy, "replayed.test")).toBe("vB");
    const { releases } = await client.json<{ releases: ReleaseView[] }>("GET", "/v1/apps/replayed/releases");
    expect(releases.map((r) => r.commit?.sha)).toEqual([b, a, expect.any(String)]);
  });

  it("deploys the branch's tip when pushes arrive out of order (o1, o3, o2 → o3), and accepts form-encoded pushes", async () => {
    const { client, proxy, info } = await startAgent(tempDir());
    const { repo } = setUp("ordered");
    await deploy(client, repo);
    const o1 = setBehaviour(repo, { version: "o1" }, "feat: o1");
    const o2 = setBehaviour(repo, { version: "o2" }, "feat: o2");
    const o3 = setBehaviour(repo, { version: "o3" }, "feat: o3");
    git(repo, "push", "-q", "origin", "main");
    for (const sha of [o1, o3, o2]) {
      const posted = await hook(info.api, "ordered", pushPayload("main", sha));
      expect(posted.status).toBe(202);
    }
    await waitForRelease(client, "ordered", (r) => r.commit?.sha === o3 && r.status === "live");
    // A redelivery of o3's push, last in line (form-encoded, GitHub's other content type): once it
    // has run, so has everything before it.
    const skippedBefore = (await pushEvents(client, "ordered")).filter((e) => e.name === "skipped").length;
    expect((await hook(info.api, "ordered", pushPayload("main", o3), { form: true })).status).toBe(202);
    await settled(client, "ordered", skippedBefore + 1);
    expect(await version(proxy, "ordered.test")).toBe("o3");
    const { releases } = await client.json<{ releases: ReleaseView[] }>("GET", "/v1/apps/ordered/releases");
    const pushed = releases.filter((r) => r.trigger === "webhook");
    // Only o3 was ever deployed by a push: never o1 or o2 after it, never o3 twice.
    expect(pushed.map((r) => r.commit?.sha)).toEqual([o3]);
    expect(pushed[0]?.status).toBe("live");
  });

  it("remembers delivery ids across an agent restart", async () => {
    const dataDir = tempDir();
    const first = await startAgent(dataDir);
    const { repo } = setUp("remembered");
    await deploy(first.client, repo);
    const sha = setBehaviour(repo, { version: "v2" });
    git(repo, "push", "-q", "origin", "main");
    expect(
      (await hook(first.info.api, "remembered", pushPayload("main", sha), { delivery: "once" })).status,
    ).toBe(202);
    await waitForRelease(first.client, "remembered", (r) => r.commit?.sha === sha && r.status === "live");
    await first.agent.stop();

    const second = await startAgent(dataDir);
    const again = await hook(second.info.api, "remembered", pushPayload("main", sha), { delivery: "once" });
    expect(again.status).toBe(200);
    expect(again.body.message).toBe("ignored: delivery once was already received");
  });
});

describe("push to deploy", () => {
  it("deploys a signed push to main in the background, versioned from its commits", async () => {
    const { client, proxy, info } = await startAgent(tempDir());
    const { repo } = setUp("pushy");
    const first = await deploy(client, repo, { version: "1.0.0" });
    expect(first.result.release?.version).toBe("1.0.0");

    const sha = setBehaviour(repo, { version: "v2" }, "feat: greet in v2");
    git(repo, "push", "-q", "origin", "main");
    const accepted = await hook(info.api, "pushy", pushPayload("main", sha));
    expect(accepted.status).toBe(202);
    expect(accepted.body.message).toBe("accepted");
    const release = await waitForRelease(
      client,
      "pushy",
      (r) => r.commit?.sha === sha && r.status === "live",
    );
    expect(release).toMatchObject({ trigger: "webhook", env: "production", version: "1.1.0" });
    expect(release.leadTimeMs).toBeGreaterThan(0);
    expect(await version(proxy, "pushy.test")).toBe("v2");
    const { version: last } = await client.json<{ version: string }>("GET", "/v1/apps/pushy/version");
    expect(last).toBe("1.1.0");

    // Rollback by version.
    const back = await rollback(client, "pushy", "v1.0.0");
    expect(back.result.release).toMatchObject({ artifact: "r1", version: "1.0.0" });
    expect(await version(proxy, "pushy.test")).toBe("v1");
  });

  it("refuses bad signatures and unknown apps, and ignores a repeated delivery", async () => {
    const { client, info } = await startAgent(tempDir());
    const { repo } = setUp("guarded");
    await deploy(client, repo);
    const sha = setBehaviour(repo, { version: "v2" });
    git(repo, "push", "-q", "origin", "main");
    const payload = pushPayload("main", sha);
    const forged = await hook(info.api, "guarded", payload, {
      signature: githubSignature(Buffer.from("other"), secret),
    });
    expect(forged.status).toBe(401);
    expect((await hook(info.api, "nobody", payload)).status).toBe(404);
    expect((await hook(info.api, "guarded", payload, { event: "ping" })).status).toBe(200);
    const delivered = await hook(info.api, "guarded", payload, { delivery: "same-id" });
    expect(delivered.status).toBe(202);
    const repeated = await hook(info.api, "guarded", payload, { delivery: "same-id" });
    expect(repeated.status).toBe(200);
    expect(repeated.body.message).toMatch(/already received/);
    await waitForRelease(client, "guarded", (r) => r.commit?.sha === sha && r.status === "live");
    const { releases } = await client.json<{ releases: ReleaseView[] }>("GET", "/v1/apps/guarded/releases");
    // r1 from the CLI, r2 from the one accepted delivery: the forged and repeated ones did nothing.
    expect(releases.map((r) => [r.id, r.trigger])).toEqual([
      ["r2", "webhook"],
      ["r1", "cli"],
    ]);
    const bad = await fetch(`${info.api}/hooks/github/guarded`, {
      method: "POST",
      headers: {
        "x-github-event": "push",
        "x-hub-signature-256": githubSignature(Buffer.from("{nope"), secret),
      },
      body: "{nope",
    });
    expect(bad.status).toBe(400);
  });

  it("deploys develop to staging, promotes the same build to production, and runs branch previews", async () => {
    const { client, proxy, info } = await startAgent(tempDir());
    const { repo } = setUp("staged");
    await deploy(client, repo);
    git(repo, "checkout", "-q", "-b", "develop");
    const sha = setBehaviour(repo, { version: "v2-staging" }, "feat: new page");
    git(repo, "push", "-q", "origin", "develop");
    expect((await hook(info.api, "staged", pushPayload("develop", sha))).status).toBe(202);
    const staged = await waitForRelease(client, "staged", (r) => r.env === "staging" && r.status === "live");
    expect(staged.version).toBeNull();
    expect(await version(proxy, "staging.staged.test")).toBe("v2-staging");
    expect(await version(proxy, "staged.test")).toBe("v1");

    const promoted = await client.operation(
      "/v1/apps/staged/promote",
      {
        body: JSON.stringify({ from: "staging", to: "production", requestedBy: "tester" }),
        headers: { "content-type": "application/json" },
      },
      () => undefined,
    );
    expect(promoted.release).toMatchObject({
      env: "production",
      trigger: "promote",
      artifact: staged.artifact,
      version: "0.1.1",
    });
    expect(await version(proxy, "staged.test")).toBe("v2-staging");
    expect(await version(proxy, "staging.staged.test")).toBe("v2-staging");

    git(repo, "checkout", "-q", "-b", "feature/Login");
    const featureSha = setBehaviour(repo, { version: "v3-preview" });
    git(repo, "push", "-q", "origin", "feature/Login");
    expect((await hook(info.api, "staged", pushPayload("feature/Login", featureSha))).status).toBe(202);
    await waitForRelease(client, "staged", (r) => r.env === "preview:feature-login" && r.status === "live");
    expect(await version(proxy, "feature-login.preview.staged.test")).toBe("v3-preview");

    expect((await hook(info.api, "staged", pushPayload("feature/Login", featureSha, true))).status).toBe(202);
    await waitForRelease(
      client,
      "staged",
      (r) => r.env === "preview:feature-login" && r.status === "removed",
    );
    expect((await get(`${proxy}/`, "feature-login.preview.staged.test")).status).toBe(404);
  });

  it("runs preflight on a pushed commit and refuses one that leaks a secret", async () => {
    const { client, proxy, info } = await startAgent(tempDir());
    const { repo } = setUp("leaky");
    await deploy(client, repo);
    // A well-formed fake AWS key id, built at run time (never a literal in the repository).
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const keyId = `AKIA${Array.from(randomBytes(16), (b) => alphabet[b % 32]).join("")}`;
    const sha = commitFiles(
      repo,
      { "config.js": `export const awsKeyId = "${keyId}";\n` },
      "feat: talk to S3",
    );
    git(repo, "push", "-q", "origin", "main");
    expect((await hook(info.api, "leaky", pushPayload("main", sha))).status).toBe(202);
    const failed = await waitForRelease(
      client,
      "leaky",
      (r) => r.commit?.sha === sha && r.status === "failed",
    );
    expect(failed.reason).toMatch(/preflight found 1 blocking problem/);
    const { events } = await client.json<{ events: Array<{ name: string; ok: boolean; message: string }> }>(
      "GET",
      `/v1/apps/leaky/events?release=${failed.id}`,
    );
    expect(events.find((e) => e.name === "checked")).toMatchObject({ ok: false });
    expect(JSON.stringify(events)).not.toContain(keyId);
    expect(await version(proxy, "leaky.test")).toBe("v1");
  });

  it("fails a push whose commit cannot be fetched with git's reason, keeping the live release", async () => {
    const { client, proxy, info } = await startAgent(tempDir());
    const { repo } = setUp("missing");
    await deploy(client, repo);
    const unknown = "1234567890abcdef1234567890abcdef12345678";
    expect((await hook(info.api, "missing", pushPayload("main", unknown))).status).toBe(202);
    const failure = await until("the push to fail", async () => {
      const { events } = await client.json<{
        events: Array<{ kind: string; name: string; message: string }>;
      }>("GET", "/v1/apps/missing/events");
      return events.find((e) => e.kind === "push" && e.name === "failed");
    });
    expect(failure.message).toMatch(
      /commit 1234567890abcdef1234567890abcdef12345678 is not in the repository/,
    );
    // In the history as a failed deploy of that commit, like any other that failed.
    const { releases } = await client.json<{ releases: ReleaseView[] }>("GET", "/v1/apps/missing/releases");
    expect(releases.map((r) => [r.id, r.status, r.trigger, r.live])).toEqual([
      ["r2", "failed", "webhook", false],
      ["r1", "live", "cli", true],
    ]);
    // Message, author and time come from the push itself, as the commit could not be read.
    expect(releases[0]?.commit).toMatchObject({ sha: unknown, time: "2026-05-01T08:05:00.000Z" });
    expect(releases[0]?.reason).toMatch(/is not in the repository/);
    expect(await version(proxy, "missing.test")).toBe("v1");
  });
});
