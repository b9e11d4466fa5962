import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { parseAppConfig } from "../config/load.js";
import type { WebhookAction } from "./handler.js";
import { webhookAppFor, webhookRoutes } from "./routes.js";
import { githubSignature } from "./signature.js";
import { fakeSecret, githubPushPayload, gitlabPushPayload } from "./test-support/payloads.js";

const secret = fakeSecret();
const config = parseAppConfig(
  "app: hello\nstart: node server.js\nrepo: /srv/git/hello.git\nwebhook_secret_env: HELLO_HOOK\n",
);

const servers: Array<{ close: (done: () => void) => void }> = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise<void>((done) => server.close(() => done()))),
  );
});

/** The hook routes mounted like the agent mounts them, on a real socket. */
async function startHooks(): Promise<{ url: string; dispatched: WebhookAction[]; logged: string[] }> {
  const dispatched: WebhookAction[] = [];
  const logged: string[] = [];
  const api = new Hono();
  api.route(
    "/hooks",
    webhookRoutes({
      lookupApp: (name) =>
        name === "hello"
          ? webhookAppFor(config, (name) => (name === "HELLO_HOOK" ? secret : undefined))
          : undefined,
      dispatch: (action) => dispatched.push(action),
      log: (entry) => logged.push(`${entry.status} ${entry.message}`),
    }),
  );
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: api.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve(info.port),
    );
    servers.push(server);
  });
  return { url: `http://127.0.0.1:${port}/hooks`, dispatched, logged };
}

function signedPush(body: string, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": "7e1d-1",
      "x-hub-signature-256": githubSignature(body, secret),
      ...headers,
    },
  };
}

describe("webhookRoutes over HTTP", () => {
  it("accepts a signed GitHub push with 202 and dispatches the deploy", async () => {
    const { url, dispatched, logged } = await startHooks();
    // Key order and spacing as GitHub sends them: the signature covers these exact bytes.
    const body = JSON.stringify(githubPushPayload(), null, 1);
    const response = await fetch(`${url}/github/hello`, signedPush(body));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ message: "accepted", deliveryId: "7e1d-1" });
    expect(dispatched).toMatchObject([{ kind: "deploy", environment: "production" }]);
    expect(logged.join("\n")).not.toContain(secret);
  });

  it("refuses a mis-signed push with 401 and dispatches nothing", async () => {
    const { url, dispatched } = await startHooks();
    const body = JSON.stringify(githubPushPayload());
    const response = await fetch(
      `${url}/github/hello`,
      signedPush(body, { "x-hub-signature-256": githubSignature(body, fakeSecret()) }),
    );
    expect(response.status).toBe(401);
    expect(dispatched).toEqual([]);
  });

  it("takes GitLab's token", async () => {
    const { url, dispatched } = await startHooks();
    const response = await fetch(`${url}/gitlab/hello`, {
      method: "POST",
      body: JSON.stringify(gitlabPushPayload()),
      headers: { "x-gitlab-event": "Push Hook", "x-gitlab-token": secret },
    });
    expect(response.status).toBe(202);
    expect(dispatched).toHaveLength(1);
  });

  it.each([
    ["an unknown app", "/github/nope", 404],
    ["an unknown provider", "/bitbucket/hello", 404],
  ])("answers %s with %i", async (_, path, status) => {
    const { url } = await startHooks();
    expect((await fetch(`${url}${path}`, signedPush("{}"))).status).toBe(status);
  });

  it("answers a body over 5 MiB with 413", async () => {
    const { url, dispatched } = await startHooks();
    const response = await fetch(`${url}/github/hello`, signedPush(" ".repeat(5 * 1024 * 1024 + 10)));
    expect(response.status).toBe(413);
    expect(dispatched).toEqual([]);
  });

  it("acknowledges a redelivery without a second deploy", async () => {
    const { url, dispatched } = await startHooks();
    const body = JSON.stringify(githubPushPayload());
    expect((await fetch(`${url}/github/hello`, signedPush(body))).status).toBe(202);
    expect((await fetch(`${url}/github/hello`, signedPush(body))).status).toBe(200);
    expect(dispatched).toHaveLength(1);
  });
});
