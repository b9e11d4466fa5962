import { describe, expect, it } from "vitest";
import { WebhookError } from "./error.js";
import { parseGithubPush, parseGitlabPush } from "./push.js";
import { fakeSha, githubPushPayload, gitlabPushPayload, ZEROS } from "./test-support/payloads.js";

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function errorOf(run: () => unknown): WebhookError {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookError) return error;
    throw error;
  }
  throw new Error("expected a WebhookError");
}

describe("parseGithubPush", () => {
  it("normalizes a branch push", () => {
    const payload = githubPushPayload({ branch: "main" });
    expect(parseGithubPush(json(payload), "delivery-1")).toEqual({
      provider: "github",
      deliveryId: "delivery-1",
      ref: "refs/heads/main",
      branch: "main",
      sha: payload.after,
      before: payload.before,
      deleted: false,
      pusher: "grace",
      repository: "me/hello",
      commits: [
        {
          sha: fakeSha("first"),
          message: "feat: first\n\nbody",
          author: "Ada",
          timestamp: "2026-05-01T10:00:00+02:00",
        },
        {
          sha: payload.after,
          message: "fix: second",
          author: "Grace",
          timestamp: "2026-05-01T10:05:00+02:00",
        },
      ],
    });
  });

  it.each([
    ["a branch with slashes", { branch: "feature/a/b" }, { branch: "feature/a/b", deleted: false }],
    ["a tag", { ref: "refs/tags/v1.0.0" }, { branch: undefined }],
    [
      "a deleted branch",
      { branch: "feat", deleted: true, after: ZEROS },
      { branch: "feat", deleted: true, sha: ZEROS },
    ],
    ["zeros without the deleted flag", { branch: "feat", after: ZEROS }, { deleted: true }],
  ])("reads %s", (_, options, expected) => {
    expect(parseGithubPush(json(githubPushPayload(options)))).toMatchObject(expected);
  });

  it.each([
    ["not JSON", Buffer.from("{nope"), 400, "not valid JSON"],
    ["empty", Buffer.from(""), 400, "not valid JSON"],
    ["a JSON array", json([1]), 422, "expected a JSON object"],
    ["JSON null", json(null), 422, "expected a JSON object"],
    ["no ref", json({ ...githubPushPayload(), ref: undefined }), 422, "ref: is missing"],
    ["no after", json({ ...githubPushPayload(), after: undefined }), 422, "after: is missing"],
    ["a bad sha", json({ ...githubPushPayload(), after: "HEAD" }), 422, "after: expected a commit sha"],
    ["no pusher", json({ ...githubPushPayload(), pusher: undefined }), 422, "pusher: is missing"],
    [
      "a ref that is not a ref",
      json({ ...githubPushPayload(), ref: "main" }),
      422,
      "ref: expected a ref like refs/heads/main",
    ],
    ["commits not a list", json({ ...githubPushPayload(), commits: "x" }), 422, "commits:"],
    [
      "a commit without id",
      json({ ...githubPushPayload(), commits: [{ message: "x" }] }),
      422,
      "commits.0.id: is missing",
    ],
  ])("refuses %s with a 4xx", (_, body, status, message) => {
    const error = errorOf(() => parseGithubPush(body));
    expect(error.status).toBe(status);
    expect(error.message).toContain(message);
  });
});

describe("parseGitlabPush", () => {
  it("normalizes a branch push", () => {
    const payload = gitlabPushPayload({ branch: "develop" });
    expect(parseGitlabPush(json(payload), "uuid-1")).toEqual({
      provider: "gitlab",
      deliveryId: "uuid-1",
      ref: "refs/heads/develop",
      branch: "develop",
      sha: payload.after,
      before: payload.before,
      deleted: false,
      pusher: "grace",
      repository: "me/hello",
      commits: [
        {
          sha: payload.after,
          message: "fix: second\n",
          author: "Grace Hopper",
          timestamp: "2026-05-01T10:05:00+02:00",
        },
      ],
    });
  });

  it("reads a deleted branch from an all-zero after", () => {
    expect(parseGitlabPush(json(gitlabPushPayload({ branch: "feat", after: ZEROS })))).toMatchObject({
      deleted: true,
      commits: [],
    });
  });

  it("refuses a payload without before", () => {
    expect(errorOf(() => parseGitlabPush(json({ ...gitlabPushPayload(), before: undefined })))).toMatchObject(
      {
        status: 422,
        message: expect.stringContaining("before: is missing"),
      },
    );
  });
});
