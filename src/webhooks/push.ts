import { z } from "zod";
import { WebhookError } from "./error.js";

export type Provider = "github" | "gitlab";

export const PROVIDERS: readonly Provider[] = ["github", "gitlab"];

export function isProvider(name: string): name is Provider {
  return (PROVIDERS as readonly string[]).includes(name);
}

export interface PushCommit {
  sha: string;
  message: string;
  author: string;
  /** ISO 8601, as the provider sent it. */
  timestamp: string;
}

/** A push, from either provider, in one shape. */
export interface PushEvent {
  provider: Provider;
  /** `X-GitHub-Delivery` / GitLab's idempotency key or event UUID; undefined when the request had none. */
  deliveryId: string | undefined;
  /** `refs/heads/main`, `refs/tags/v1.0.0`. */
  ref: string;
  /** The branch pushed to; undefined for a tag push. */
  branch: string | undefined;
  /** The commit the ref points at after the push (`after`); all zeros when the ref was deleted. */
  sha: string;
  before: string;
  deleted: boolean;
  pusher: string;
  /** `owner/name` */
  repository: string | undefined;
  /** The pushed commits as the provider lists them (oldest first; providers cap the list). */
  commits: PushCommit[];
}

const ZERO_SHA = /^0+$/;
const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, { error: "expected a commit sha" });
const text = z.string({ error: "expected a string" });
const ref = text.regex(/^refs\//, { error: "expected a ref like refs/heads/main" });

const pushedCommit = z.looseObject({
  id: sha,
  message: text,
  timestamp: text,
  author: z.looseObject({ name: text }),
});

const githubPush = z.looseObject({
  ref,
  before: sha,
  after: sha,
  deleted: z.boolean({ error: "expected true or false" }).optional(),
  pusher: z.looseObject({ name: text }),
  repository: z.looseObject({ full_name: text.optional() }).optional(),
  commits: z.array(pushedCommit).default([]),
});

const gitlabPush = z.looseObject({
  ref,
  before: sha,
  after: sha,
  user_username: text.optional(),
  user_name: text.optional(),
  project: z.looseObject({ path_with_namespace: text.optional() }).optional(),
  commits: z.array(pushedCommit).default([]),
});

/** The largest body the hook reads; GitHub caps its payloads at 25 MB, but a push is far smaller. */
export const MAX_WEBHOOK_BODY_BYTES = 5 * 1024 * 1024;

/**
 * The JSON of a GitHub delivery. A hook may be set to either of GitHub's content types:
 * `application/json` (the body is the JSON) or `application/x-www-form-urlencoded` (the JSON is the
 * `payload` field). The signature covers the body as sent, so this runs after it was checked.
 */
export function githubPayload(body: Buffer, contentType: string | undefined): Buffer | string {
  if (!contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded")) return body;
  const payload = new URLSearchParams(body.toString("utf8")).get("payload");
  if (payload === null) {
    throw new WebhookError(
      400,
      "the form-encoded body has no payload field; set the webhook's content type to application/json",
    );
  }
  return payload;
}

/** GitHub's `push` event → PushEvent. Throws WebhookError 400 (not JSON) or 422 (fields missing). */
export function parseGithubPush(body: Buffer | string, deliveryId?: string): PushEvent {
  const p = validate(githubPush, parseJson(body));
  return {
    ...common("github", deliveryId, p),
    deleted: p.deleted === true || ZERO_SHA.test(p.after),
    pusher: p.pusher.name,
    repository: p.repository?.full_name,
  };
}

/** GitLab's `Push Hook` → PushEvent. A deleted branch is a push whose `after` is all zeros. */
export function parseGitlabPush(body: Buffer | string, deliveryId?: string): PushEvent {
  const p = validate(gitlabPush, parseJson(body));
  return {
    ...common("gitlab", deliveryId, p),
    deleted: ZERO_SHA.test(p.after),
    pusher: p.user_username ?? p.user_name ?? "unknown",
    repository: p.project?.path_with_namespace,
  };
}

/** The fields both providers name alike. */
function common(
  provider: Provider,
  deliveryId: string | undefined,
  p: { ref: string; before: string; after: string; commits: Array<z.output<typeof pushedCommit>> },
) {
  return {
    provider,
    deliveryId,
    ref: p.ref,
    branch: branchOf(p.ref),
    sha: p.after,
    before: p.before,
    commits: p.commits.map((c) => ({
      sha: c.id,
      message: c.message,
      author: c.author.name,
      timestamp: c.timestamp,
    })),
  };
}

function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(body.toString());
  } catch {
    throw new WebhookError(400, "the body is not valid JSON");
  }
}

function validate<T>(schema: z.ZodType<T>, payload: unknown): T {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new WebhookError(422, "expected a JSON object");
  }
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.join(".") || "(top level)";
    return `${where}: ${isMissing(payload, issue.path) ? "is missing" : issue.message}`;
  });
  throw new WebhookError(422, `not a push payload: ${issues.join("; ")}`);
}

function isMissing(payload: unknown, path: PropertyKey[]): boolean {
  let value = payload;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return true;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined;
}

function branchOf(ref: string): string | undefined {
  return ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
}
