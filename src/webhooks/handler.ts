import type { AppConfig } from "../config/schema.js";
import { type PreviewTarget, previewFor, previewSlug } from "../environments/preview.js";
import { environmentsForBranch } from "../environments/resolve.js";
import type { DeliveryLog } from "./deliveries.js";
import { WebhookError } from "./error.js";
import {
  githubPayload,
  MAX_WEBHOOK_BODY_BYTES,
  type Provider,
  type PushEvent,
  parseGithubPush,
  parseGitlabPush,
} from "./push.js";
import { verifyGithubSignature, verifyGitlabToken } from "./signature.js";

export interface WebhookRequest {
  provider: Provider;
  /** The `<app>` of `/hooks/<provider>/<app>`. */
  app: string;
  /** The request's headers, names in lowercase (node's `req.headers`, Hono's `c.req.header()`). */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, byte for byte: the signature covers these bytes. */
  body: Buffer;
}

/** What the agent knows of the app the hook names. */
export interface WebhookApp {
  /** The skiff.yml registered by the app's last deploy. */
  config: AppConfig;
  /** The value of `config.webhookSecretEnv` in the agent's environment; undefined when unset. */
  secret: string | undefined;
}

export type WebhookAction =
  | { kind: "deploy"; app: string; environment: string; sha: string; push: PushEvent }
  | { kind: "preview"; app: string; preview: PreviewTarget; sha: string; push: PushEvent }
  | { kind: "remove-preview"; app: string; branch: string; slug: string; push: PushEvent };

export interface WebhookResponse {
  /** 202: actions to run in the background; 200: understood, nothing to do; 4xx: refused. */
  status: 200 | 202 | WebhookError["status"];
  /** The JSON to answer with. Never holds the secret or the signature. */
  body: { message: string; deliveryId?: string; actions?: string[] };
  actions: WebhookAction[];
}

/**
 * The whole decision for one webhook request, without I/O: the agent's route passes the request and
 * the app, answers with `status` and `body`, then hands each action to its queue. Check order: known app
 * (404), body size (413), signature (401), event (ping → 200), payload (400/422), repeat delivery (200).
 * `deliveries` is the agent's record of delivery ids (its ledger); only authentic, valid pushes are
 * remembered. A new delivery id does not make a push new: which commit it deploys, if any, is decided
 * once the repository is fetched (push-order.ts).
 */
export function handleWebhook(
  request: WebhookRequest,
  app: WebhookApp | undefined,
  deliveries: DeliveryLog,
): WebhookResponse {
  try {
    return decide(request, app, deliveries);
  } catch (error) {
    if (error instanceof WebhookError)
      return { status: error.status, body: { message: error.message }, actions: [] };
    throw error;
  }
}

function decide(
  request: WebhookRequest,
  app: WebhookApp | undefined,
  deliveries: DeliveryLog,
): WebhookResponse {
  if (!app) throw new WebhookError(404, `unknown app ${JSON.stringify(request.app)}: deploy it once first`);
  if (request.body.length > MAX_WEBHOOK_BODY_BYTES) {
    throw new WebhookError(413, `the body is over ${MAX_WEBHOOK_BODY_BYTES} bytes`);
  }
  authenticate(request, app);
  const event = eventName(request);
  if (isPing(request.provider, event)) return answer(200, "pong");
  if (!isPush(request.provider, event))
    return answer(200, `ignored: ${event ?? "unnamed"} events do not deploy`);
  const deliveryId = deliveryIdOf(request);
  const push =
    request.provider === "github"
      ? parseGithubPush(githubPayload(request.body, header(request, "content-type")), deliveryId)
      : parseGitlabPush(request.body, deliveryId);
  const actions = actionsFor(app.config, push);
  if (!app.config.repo && actions.some((a) => a.kind !== "remove-preview")) {
    // Nothing to fetch the pushed commit from: say so to the sender (a redelivery once fixed still
    // counts) instead of failing in the background.
    throw new WebhookError(
      422,
      `${app.config.app} has no repo: in its skiff.yml, so the agent cannot fetch ${push.sha.slice(0, 12)}; add repo: and deploy once with skiff deploy`,
    );
  }
  if (deliveryId && !deliveries.remember(`${request.provider}:${request.app}:${deliveryId}`)) {
    return answer(200, `ignored: delivery ${deliveryId} was already received`, deliveryId);
  }
  if (actions.length === 0) return answer(200, `ignored: ${whyIgnored(push)}`, deliveryId);
  return { status: 202, body: { message: "accepted", deliveryId, actions: actions.map(describe) }, actions };
}

function authenticate(request: WebhookRequest, app: WebhookApp): void {
  // Without a secret nothing can be verified, so nothing is accepted (the agent logs why).
  const secret = app.secret ?? "";
  const ok =
    request.provider === "github"
      ? verifyGithubSignature(request.body, header(request, "x-hub-signature-256"), secret)
      : verifyGitlabToken(header(request, "x-gitlab-token"), secret);
  if (!ok) {
    const what = request.provider === "github" ? "X-Hub-Signature-256" : "X-Gitlab-Token";
    throw new WebhookError(401, `${what} is missing or does not match the app's webhook secret`);
  }
}

/** Pure. The actions a push leads to under the app's config. */
export function actionsFor(config: AppConfig, push: PushEvent): WebhookAction[] {
  const { branch } = push;
  if (branch === undefined) return [];
  const environments = environmentsForBranch(config, branch);
  if (push.deleted) {
    // Deleting a deployed branch undeploys nothing; deleting any other removes its preview, if any.
    return environments.length > 0
      ? []
      : [{ kind: "remove-preview", app: config.app, branch, slug: previewSlug(branch), push }];
  }
  if (environments.length > 0) {
    return environments.map((environment) => ({
      kind: "deploy",
      app: config.app,
      environment,
      sha: push.sha,
      push,
    }));
  }
  const preview = previewFor(config, branch);
  return preview ? [{ kind: "preview", app: config.app, preview, sha: push.sha, push }] : [];
}

/** The queue key of an action: one deploy at a time per environment or preview, newest pending wins. */
export function queueKeyOf(action: WebhookAction): string {
  if (action.kind === "deploy") return `${action.app}/${action.environment}`;
  return `${action.app}/preview/${action.kind === "preview" ? action.preview.slug : action.slug}`;
}

function whyIgnored(push: PushEvent): string {
  if (push.branch === undefined) return `${push.ref} is not a branch`;
  if (push.deleted) return `${push.branch} is deployed by an environment; deleting it changes nothing`;
  return `no environment deploys ${push.branch} and previews are off`;
}

function describe(action: WebhookAction): string {
  if (action.kind === "deploy") return `deploy ${action.sha.slice(0, 12)} to ${action.environment}`;
  if (action.kind === "preview") return `preview ${action.sha.slice(0, 12)} at ${action.preview.host}`;
  return `remove the preview of ${action.branch}`;
}

function answer(status: 200, message: string, deliveryId?: string): WebhookResponse {
  return { status, body: deliveryId ? { message, deliveryId } : { message }, actions: [] };
}

function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function eventName(request: WebhookRequest): string | undefined {
  return header(request, request.provider === "github" ? "x-github-event" : "x-gitlab-event");
}

/** GitHub pings a hook when it is created; GitLab has no ping (its "Test" button sends a push). */
export function isPing(provider: Provider, event: string | undefined): boolean {
  return provider === "github" && event === "ping";
}

function isPush(provider: Provider, event: string | undefined): boolean {
  return provider === "github" ? event === "push" : event === "Push Hook";
}

/** GitHub's `X-GitHub-Delivery`; GitLab's `Idempotency-Key` (the same on retries), else its event UUID. */
function deliveryIdOf(request: WebhookRequest): string | undefined {
  if (request.provider === "github") return header(request, "x-github-delivery");
  return header(request, "idempotency-key") ?? header(request, "x-gitlab-event-uuid");
}
