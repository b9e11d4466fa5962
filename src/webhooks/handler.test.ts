import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import { DeliveryMemory } from "./deliveries.js";
import { actionsFor, handleWebhook, queueKeyOf, type WebhookApp, type WebhookRequest } from "./handler.js";
import { parseGithubPush } from "./push.js";
import { githubSignature } from "./signature.js";
import { fakeSecret, fakeSha, githubPushPayload, gitlabPushPayload, ZEROS } from "./test-support/payloads.js";

const secret = fakeSecret();

const config = parseAppConfig(`
app: hello
start: node server.js
repo: git@github.com:me/hello.git
host: hello.example.com
environments:
  staging: { host: staging.hello.example.com, branch: develop }
previews: { enabled: true, host: "{branch}.preview.hello.example.com" }
`);
const app: WebhookApp = { config, secret };

function github(
  payload: unknown,
  options: { event?: string; delivery?: string; sign?: string } = {},
): WebhookRequest {
  const body = Buffer.from(JSON.stringify(payload));
  return {
    provider: "github",
    app: "hello",
    body,
    headers: {
      "x-github-event": options.event ?? "push",
      "x-github-delivery": options.delivery ?? "d-1",
      "x-hub-signature-256": githubSignature(body, options.sign ?? secret),
      "content-type": "application/json",
    },
  };
}

function gitlab(payload: unknown, token = secret, event = "Push Hook"): WebhookRequest {
  return {
    provider: "gitlab",
    app: "hello",
    body: Buffer.from(JSON.stringify(payload)),
    headers: { "x-gitlab-event": event, "x-gitlab-token": token, "x-gitlab-event-uuid": "u-1" },
  };
}

describe("handleWebhook", () => {
  it("deploys a push to the production branch, 202", () => {
    const payload = githubPushPayload({ branch: "main" });
    const response = handleWebhook(github(payload), app, new DeliveryMemory());
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      message: "accepted",
      deliveryId: "d-1",
      actions: [`deploy ${payload.after.slice(0, 12)} to production`],
    });
    expect(response.actions).toMatchObject([
      { kind: "deploy", app: "hello", environment: "production", sha: payload.after },
    ]);
  });

  it("deploys a push to an environment's branch to that environment", () => {
    const response = handleWebhook(
      github(githubPushPayload({ branch: "develop" })),
      app,
      new DeliveryMemory(),
    );
    expect(response.actions).toMatchObject([{ kind: "deploy", environment: "staging" }]);
  });

  it("previews any other branch when previews are on", () => {
    const response = handleWebhook(
      github(githubPushPayload({ branch: "feat/Login" })),
      app,
      new DeliveryMemory(),
    );
    expect(response.status).toBe(202);
    expect(response.actions).toMatchObject([
      { kind: "preview", preview: { slug: "feat-login", host: "feat-login.preview.hello.example.com" } },
    ]);
  });

  it("removes the preview of a deleted branch", () => {
    const payload = githubPushPayload({ branch: "feat/login", deleted: true, after: ZEROS });
    const response = handleWebhook(github(payload), app, new DeliveryMemory());
    expect(response.status).toBe(202);
    expect(response.actions).toMatchObject([
      { kind: "remove-preview", branch: "feat/login", slug: "feat-login" },
    ]);
  });

  it.each([
    [
      "a deleted production branch",
      githubPushPayload({ branch: "main", deleted: true, after: ZEROS }),
      "deleting it changes nothing",
    ],
    ["a tag push", githubPushPayload({ ref: "refs/tags/v1.0.0" }), "refs/tags/v1.0.0 is not a branch"],
  ])("acknowledges and ignores %s", (_, payload, message) => {
    const response = handleWebhook(github(payload), app, new DeliveryMemory());
    expect(response).toMatchObject({ status: 200, actions: [] });
    expect(response.body.message).toContain(message);
  });

  it("refuses a push it has no repo: to fetch from with 422, and does not remember the delivery", () => {
    const norepo = { config: parseAppConfig("app: hello\nstart: x\n"), secret };
    const deliveries = new DeliveryMemory();
    const request = github(githubPushPayload({ branch: "main" }), { delivery: "d-norepo" });
    const response = handleWebhook(request, norepo, deliveries);
    expect(response).toMatchObject({ status: 422, actions: [] });
    expect(response.body.message).toMatch(/hello has no repo: in its skiff.yml, so the agent cannot fetch/);
    expect(handleWebhook(request, app, deliveries)).toMatchObject({ status: 202 });
  });

  it("accepts GitHub's form-encoded content type (the JSON in the payload field), signed as sent", () => {
    const payload = githubPushPayload({ branch: "main" });
    const body = Buffer.from(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    const request: WebhookRequest = {
      ...github(payload),
      body,
      headers: {
        ...github(payload).headers,
        "content-type": "application/x-www-form-urlencoded",
        "x-hub-signature-256": githubSignature(body, secret),
      },
    };
    expect(handleWebhook(request, app, new DeliveryMemory())).toMatchObject({
      status: 202,
      actions: [{ kind: "deploy", sha: payload.after }],
    });
  });

  it("says to choose application/json when a form-encoded body has no payload field", () => {
    const body = Buffer.from("other=1");
    const request: WebhookRequest = {
      ...github({}),
      body,
      headers: {
        ...github({}).headers,
        "content-type": "application/x-www-form-urlencoded",
        "x-hub-signature-256": githubSignature(body, secret),
      },
    };
    const response = handleWebhook(request, app, new DeliveryMemory());
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(
      /no payload field; set the webhook's content type to application\/json/,
    );
  });

  it("ignores other branches when previews are off", () => {
    const plain = { config: parseAppConfig("app: hello\nstart: x\n"), secret };
    const response = handleWebhook(
      github(githubPushPayload({ branch: "feat" })),
      plain,
      new DeliveryMemory(),
    );
    expect(response).toMatchObject({
      status: 200,
      actions: [],
      body: { message: expect.stringContaining("previews are off") },
    });
  });

  it("answers a ping with 200 and does nothing", () => {
    const response = handleWebhook(
      github({ zen: "Design for failure.", hook_id: 1 }, { event: "ping" }),
      app,
      new DeliveryMemory(),
    );
    expect(response).toEqual({ status: 200, body: { message: "pong" }, actions: [] });
  });

  it("ignores events other than push", () => {
    const response = handleWebhook(
      github({ action: "opened" }, { event: "pull_request" }),
      app,
      new DeliveryMemory(),
    );
    expect(response).toMatchObject({
      status: 200,
      actions: [],
      body: { message: "ignored: pull_request events do not deploy" },
    });
  });

  it("acknowledges a repeated delivery once and ignores it", () => {
    const deliveries = new DeliveryMemory();
    const request = github(githubPushPayload());
    expect(handleWebhook(request, app, deliveries).status).toBe(202);
    const again = handleWebhook(request, app, deliveries);
    expect(again).toMatchObject({
      status: 200,
      actions: [],
      body: { message: "ignored: delivery d-1 was already received" },
    });
    expect(handleWebhook(github(githubPushPayload(), { delivery: "d-2" }), app, deliveries).status).toBe(202);
  });

  it.each([
    ["a wrong signature", () => github(githubPushPayload(), { sign: fakeSecret() })],
    ["no signature", () => ({ ...github(githubPushPayload()), headers: { "x-github-event": "push" } })],
    [
      "a body changed after signing",
      () => ({
        ...github(githubPushPayload()),
        body: Buffer.from(JSON.stringify(githubPushPayload({ branch: "x" }))),
      }),
    ],
    ["a wrong GitLab token", () => gitlab(gitlabPushPayload(), fakeSecret())],
    [
      "a GitHub signature sent to the GitLab hook",
      () => ({ ...github(githubPushPayload()), provider: "gitlab" as const }),
    ],
  ])("refuses %s with 401 and does nothing", (_, make) => {
    const deliveries = new DeliveryMemory();
    const response = handleWebhook(make(), app, deliveries);
    expect(response).toMatchObject({ status: 401, actions: [] });
    expect(response.body.message).toMatch(/is missing or does not match/);
    expect(JSON.stringify(response)).not.toContain(secret);
    expect(deliveries.size).toBe(0);
  });

  it("refuses every request when the agent has no secret for the app", () => {
    const response = handleWebhook(
      github(githubPushPayload(), { sign: "" }),
      { config, secret: undefined },
      new DeliveryMemory(),
    );
    expect(response.status).toBe(401);
  });

  it("answers 404 for an app the agent does not know", () => {
    expect(handleWebhook(github(githubPushPayload()), undefined, new DeliveryMemory())).toMatchObject({
      status: 404,
      body: { message: 'unknown app "hello": deploy it once first' },
    });
  });

  it("answers 413 for a body over the limit, before checking anything else", () => {
    const request = { ...github({}), body: Buffer.alloc(5 * 1024 * 1024 + 1, 32) };
    expect(handleWebhook(request, app, new DeliveryMemory()).status).toBe(413);
  });

  it.each([
    ["not JSON", "{", 400],
    ["not a push", JSON.stringify({ hello: "world" }), 422],
  ])("answers a signed body that is %s with %i and remembers nothing", (_, text, status) => {
    const body = Buffer.from(text);
    const request: WebhookRequest = {
      provider: "github",
      app: "hello",
      body,
      headers: {
        "x-github-event": "push",
        "x-github-delivery": "d-9",
        "x-hub-signature-256": githubSignature(body, secret),
      },
    };
    const deliveries = new DeliveryMemory();
    expect(handleWebhook(request, app, deliveries)).toMatchObject({ status, actions: [] });
    expect(deliveries.has("github:hello:d-9")).toBe(false);
  });

  it("handles GitLab push hooks the same way", () => {
    const payload = gitlabPushPayload({ branch: "develop" });
    const response = handleWebhook(gitlab(payload), app, new DeliveryMemory());
    expect(response).toMatchObject({ status: 202, body: { deliveryId: "u-1" } });
    expect(response.actions).toMatchObject([{ kind: "deploy", environment: "staging", sha: payload.after }]);
    expect(handleWebhook(gitlab(payload, secret, "Tag Push Hook"), app, new DeliveryMemory()).status).toBe(
      200,
    );
  });
});

describe("queueKeyOf", () => {
  it("keys deploys by environment and previews by slug", () => {
    const push = parseGithubPush(
      JSON.stringify(githubPushPayload({ branch: "feat/x", after: fakeSha("x") })),
    );
    const [preview] = actionsFor(config, push);
    expect(queueKeyOf(preview!)).toBe("hello/preview/feat-x");
    const [deploy] = actionsFor(config, { ...push, branch: "main" });
    expect(queueKeyOf(deploy!)).toBe("hello/production");
    const [removal] = actionsFor(config, { ...push, deleted: true });
    expect(queueKeyOf(removal!)).toBe("hello/preview/feat-x");
  });
});
